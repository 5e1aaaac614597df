"""``manage.py verify_pdf FILE [--json] [--pdf OUT.pdf]``: the validation report on the command
line, and optionally as a PDF report sealed by the platform.

Exit codes: 0 passed, 1 failed, 2 indeterminate, 3 the file could not be read or checked.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from signing.report_pdf import report_pdf
from signing.validation.report import Outcome, Report
from signing.validation.runner import validate_pdf

EXIT_CODES = {Outcome.PASSED: 0, Outcome.FAILED: 1, Outcome.INDETERMINATE: 2}
UNREADABLE = 3


class Command(BaseCommand):
    help = (
        "Kiểm tra chữ ký số của một tệp PDF (mã thoát 0 hợp lệ, 1 không hợp lệ, "
        "2 chưa xác định, 3 không đọc được)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="In báo cáo dạng JSON.")
        parser.add_argument(
            "--pdf", type=Path, metavar="OUT.pdf", help="Ghi thêm báo cáo dạng PDF vào tệp này."
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.stderr.write(f"Không đọc được tệp {path}: {exc.strerror}")
            raise SystemExit(UNREADABLE) from exc
        report = validate_pdf(data, file_name=path.name)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(_text(report))
        if options["pdf"]:
            options["pdf"].write_bytes(report_pdf(report.as_json()))
        raise SystemExit(UNREADABLE if not report.readable else EXIT_CODES[report.outcome])


def _text(report: Report) -> str:
    lines = [f"{report.file_name}: {report.outcome_label.upper()}", report.summary]
    for result in report.signatures + report.timestamps:
        who = result.signer.common_name if result.signer else ""
        kind = "Chữ ký" if result.kind == "signature" else "Dấu thời gian tài liệu"
        lines.append(f"\n{kind} “{result.field_name}” {who} — {result.outcome.value}")
        lines += [f"  [{c.status}] {c.title}: {c.message}" for c in result.checks]
    lines += [f"\nGhi chú: {note}" for note in report.notes]
    return "\n".join(lines)
