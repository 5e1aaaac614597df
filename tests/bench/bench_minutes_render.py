"""20 pages of minutes: KyHop's rendering path vs WeasyPrint rendering the same HTML directly.

Our path is ``documents.rendering.render`` on the minutes document (template → one layout →
signature rectangles from the box tree → PDF/A-3b with embedded fonts), which is what sending
the minutes for signature does. The baseline is ``weasyprint.HTML(string=same_html).write_pdf()``
in the same process, interleaved round by round. Target: median ratio ≤ 1.2×. A second
baseline with ``pdf_variant="pdf/a-3b"`` shows how much of any gap is PDF/A itself.

No database: the minutes content is built in memory, as the draft's JSON would hold it.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness

ROUNDS = 5
TARGET_PAGES = 20


def content(items: int) -> dict:
    """Minutes of a long council session: *items* agenda items, speakers, a named poll each."""
    voters = [f"Đại biểu Nguyễn Văn Số {n}" for n in range(1, 31)]
    return {
        "schema": 1,
        "meeting": {
            "id": 1,
            "title": "Kỳ họp thứ mười hai Hội đồng nhân dân tỉnh khóa XIX",
            "kind": "Kỳ họp Hội đồng nhân dân",
            "body": "Hội đồng nhân dân tỉnh Bắc Ninh",
            "place": "Hội trường trụ sở Hội đồng nhân dân tỉnh",
            "started": "08 giờ 00 phút, thứ Năm, ngày 03/12/2026",
            "ended": "17 giờ 00 phút, thứ Năm, ngày 03/12/2026",
            "date": "2026-12-03",
        },
        "chair": {"name": "Nguyễn Văn Hùng", "position": "Chủ tịch Hội đồng nhân dân tỉnh"},
        "secretary": {"name": "Đinh Thị Thư Ký", "position": "Chuyên viên Văn phòng"},
        "attendance": {
            "in_person": [
                {"name": n, "position": "Đại biểu", "role": "Thành viên", "arrived": "07:55"}
                for n in voters[:26]
            ],
            "remote": [
                {"name": n, "position": "Đại biểu", "role": "Thành viên", "arrived": "08:02"}
                for n in voters[26:28]
            ],
            "absent": [
                {"name": n, "position": "Đại biểu", "role": "Thành viên", "reason": "Đi công tác"}
                for n in voters[28:]
            ],
            "substitutes": [],
        },
        "quorum": {
            "met": True,
            "present": 28,
            "total_members": 30,
            "required": 20,
            "rule_name": "Quy chế theo Luật Tổ chức chính quyền địa phương",
            "explanation": "",
        },
        "items": [_item(n, voters) for n in range(items)],
        "audit": {
            "events": 512,
            "digest": "ab" * 32,
            "chain_seq": 9001,
            "chain_hash": "cd" * 32,
            "closed_at": "17 giờ 00 phút, thứ Năm, ngày 03/12/2026",
        },
        "annexes": [
            {"document_id": n, "title": f"Tờ trình số {n}/TTr-UBND", "note": "Tờ trình"}
            for n in range(1, 13)
        ],
        "opening": "Chủ tọa kỳ họp khai mạc và điều hành kỳ họp theo chương trình.",
        "closing": "Kỳ họp kết thúc lúc 17 giờ 00 phút cùng ngày./.",
    }


def _item(n: int, voters: list[str]) -> dict:
    yes, no = voters[:24], voters[24:26]
    return {
        "item_id": n,
        "number": str(n + 1),
        "depth": 0,
        "title": f"Tờ trình về việc phê duyệt chủ trương đầu tư dự án số {n + 1}",
        "presenter": "Giám đốc Sở Kế hoạch và Đầu tư",
        "speakers": [
            {"name": voters[k], "position": "Đại biểu", "kind": "Phát biểu"} for k in range(4)
        ],
        "polls": [
            {
                "id": n,
                "title": f"Thông qua Nghị quyết số {n + 1}",
                "subject_name": "",
                "kind": "Tán thành / Không tán thành / Không biểu quyết",
                "secret": False,
                "rule": "Quy chế: thông qua khi hơn 1/2 tổng số đại biểu",
                "passed": True,
                "total_members": 30,
                "present": 28,
                "cast": 26,
                "explanation": "Thông qua: 24/30 đại biểu tán thành (80,00%).",
                "flags": [],
                "options": [
                    {
                        "key": "yes",
                        "label": "Tán thành",
                        "count": 24,
                        "percent": "80,00%",
                        "voters": yes,
                    },
                    {
                        "key": "no",
                        "label": "Không tán thành",
                        "count": 2,
                        "percent": "6,67%",
                        "voters": no,
                    },
                    {
                        "key": "abstain",
                        "label": "Không biểu quyết",
                        "count": 0,
                        "percent": "0,00%",
                        "voters": [],
                    },
                ],
                "closed_at": "10 giờ 00 phút, thứ Năm, ngày 03/12/2026",
            }
        ],
        "discussion": "Các đại biểu thống nhất với sự cần thiết đầu tư, đề nghị làm rõ nguồn "
        "vốn và tiến độ thực hiện.\nĐề nghị bổ sung đánh giá tác động môi trường.",
        "conclusion": "Thống nhất thông qua chủ trương đầu tư; giao Ủy ban nhân dân tỉnh tổ "
        "chức thực hiện.",
    }


def document(items: int):
    from accounts.models import Body
    from meetings.minutes.draft import minutes_document
    from meetings.models import Meeting

    body = Body(name="Hội đồng nhân dân tỉnh Bắc Ninh", symbol="HĐND", place_name="Bắc Ninh")
    return minutes_document(Meeting(body=body), content(items))


def pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def main() -> int:
    _harness.private_environment()
    import django

    django.setup()
    import weasyprint

    from documents.rendering import render, render_html

    items = 9
    doc = document(items)
    while (count := pages(render(doc).pdf)) < TARGET_PAGES:
        items += 1
        doc = document(items)
    html = render_html(doc)
    print(f"minutes: {items} agenda items, {count} pages")
    ours, plain, pdfa = [], [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        render(doc)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        weasyprint.HTML(string=html).write_pdf()
        plain.append(time.perf_counter() - started)
        started = time.perf_counter()
        weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/a-3b")
        pdfa.append(time.perf_counter() - started)
    med = {
        name: statistics.median(v) for name, v in (("ours", ours), ("plain", plain), ("pdfa", pdfa))
    }
    print(
        f"KyHop render (template + layout + signature rects + PDF/A-3b): "
        f"median {med['ours']:.3f} s  {[round(t, 3) for t in ours]}"
    )
    print(
        f"WeasyPrint same HTML, write_pdf():                         "
        f"median {med['plain']:.3f} s  {[round(t, 3) for t in plain]}"
    )
    print(
        f"WeasyPrint same HTML, write_pdf(pdf_variant='pdf/a-3b'):   "
        f"median {med['pdfa']:.3f} s  {[round(t, 3) for t in pdfa]}"
    )
    ratio = med["ours"] / med["plain"]
    print(
        f"ratio vs plain WeasyPrint: {ratio:.2f}x (target <= 1.2x) "
        f"{'PASS' if ratio <= 1.2 else 'MISS'}"
    )
    print(f"ratio vs WeasyPrint PDF/A: {med['ours'] / med['pdfa']:.2f}x")
    print(f"machine: {_harness.machine()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
