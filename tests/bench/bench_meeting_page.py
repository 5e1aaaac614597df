"""Meeting page with 50 agenda items and 200 documents vs a trivial view, under the same load.

Both are fetched by the same client from one uvicorn process, interleaved, logged in with the
same session; the figure is the ratio of medians (target ≤ 3×). The trivial view is /healthz,
which goes through the whole middleware stack and one query.
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness

ITEMS, DOCS_PER_ITEM, ROUNDS, CONCURRENCY = 50, 4, 200, 4


def build() -> tuple[int, str, str]:
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from accounts.services import body_create, membership_set, user_create
    from documents.services import document_create
    from meetings.models import MeetingStatus
    from meetings.preparation import services

    body = body_create(
        actor=None,
        code="ubnd",
        name="Ủy ban nhân dân tỉnh Bắc Ninh",
        symbol="UBND",
        total_members=10,
    )
    clerk = user_create(
        actor=None, username="vanthu", full_name="Trần Thị Thu Hà", password="bench-pass-123"
    )
    membership_set(actor=None, user=clerk, body=body, role="clerk")
    reader = user_create(
        actor=None, username="daibieu", full_name="Lê Minh Đức", password="bench-pass-123"
    )
    membership_set(actor=None, user=reader, body=body, role="member")
    start = timezone.now() + dt.timedelta(days=1)
    meeting = services.meeting_create(
        actor=clerk,
        body=body,
        title="Họp đo hiệu năng",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="Phòng họp 1",
    )
    pdf = _tiny_pdf()
    group = None
    for i in range(ITEMS):
        # Every fifth item opens a group; the next four sit under it (a two-level agenda).
        parent = group if i % 5 else None
        item = services.agenda_item_add(
            actor=clerk, meeting=meeting, title=f"Mục số {i + 1}", parent=parent
        )
        if i % 5 == 0:
            group = item
        for j in range(DOCS_PER_ITEM):
            document = document_create(
                actor=clerk,
                owning_body=body,
                doc_type="bao_cao",
                abstract=f"Tài liệu {i + 1}.{j + 1}",
                upload=ContentFile(pdf + f"%{i}.{j}".encode(), name=f"{i}-{j}.pdf"),
            )
            services.agenda_document_attach(actor=clerk, item=item, document=document)
    services.participants_invite_body(actor=clerk, meeting=meeting, body=body)
    meeting.status = MeetingStatus.INVITED
    meeting.save()
    return meeting.pk, "daibieu", "bench-pass-123"


def _tiny_pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def login(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/dang-nhap/").read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        f"{base}/dang-nhap/", data=data, headers={"Referer": f"{base}/dang-nhap/"}
    )
    response = opener.open(request)
    assert "/dang-nhap/" not in response.url, "login failed"
    return opener


def timed(opener: urllib.request.OpenerDirector, url: str) -> float:
    started = time.perf_counter()
    with opener.open(url) as response:
        response.read()
        assert response.status == 200
    return time.perf_counter() - started


def main() -> None:
    _harness.private_environment()
    _harness.django_ready()
    meeting_id, username, password = build()
    port = _harness.free_port()
    server = _harness.start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        opener = login(base, username, password)
        page, trivial = f"{base}/hop/{meeting_id}/", f"{base}/healthz"
        html = opener.open(page).read().decode()
        assert html.count("agenda-item") == ITEMS, "meeting page is incomplete"
        for _ in range(10):  # warm-up
            timed(opener, page)
            timed(opener, trivial)
        page_times: list[float] = []
        trivial_times: list[float] = []
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            for _ in range(ROUNDS // CONCURRENCY):
                page_times += pool.map(lambda _: timed(opener, page), range(CONCURRENCY))
                trivial_times += pool.map(lambda _: timed(opener, trivial), range(CONCURRENCY))
    finally:
        server.terminate()
        server.wait(10)
    page_ms, trivial_ms = _harness.median_ms(page_times), _harness.median_ms(trivial_times)
    print(f"machine: {_harness.machine()}")
    print(
        f"meeting page ({ITEMS} items, {ITEMS * DOCS_PER_ITEM} documents), "
        f"{ROUNDS} requests, {CONCURRENCY} concurrent"
    )
    print(f"median meeting page: {page_ms:.1f} ms; median trivial view: {trivial_ms:.1f} ms")
    print(f"ratio: {page_ms / trivial_ms:.2f}x (target <= 3x)")


if __name__ == "__main__":
    main()
