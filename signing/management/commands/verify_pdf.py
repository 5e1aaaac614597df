"""``manage.py verify_pdf FILE [--json] [--pdf OUT.pdf] [--language vi|en]``: the validation
report on the command line, and optionally as a PDF report sealed by the platform.

The text and the PDF follow ``--language`` (Vietnamese by default); the JSON is the documented
schema whatever the language (Vietnamese sentences, ISO 8601 times), like the web's JSON.

Exit codes: 0 passed, 1 failed, 2 indeterminate, 3 the file could not be read or checked,
4 passed with warnings (a page looks different from when it was signed).

The terminal shows the report and nothing else: the libraries' own log lines (pyHanko's CRL and
OCSP fetches, certvalidator's path errors) are silenced for the command.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation
from django.utils.translation import gettext

from signing.validation.presentation import localize
from signing.validation.report import Outcome
from signing.validation.report_pdf import report_pdf
from signing.validation.runner import validate_pdf

EXIT_CODES = {
    Outcome.PASSED: 0,
    Outcome.FAILED: 1,
    Outcome.INDETERMINATE: 2,
    Outcome.PASSED_WITH_WARNINGS: 4,
}
UNREADABLE = 3
LIBRARY_LOGGERS = ("pyhanko", "pyhanko_certvalidator", "aiohttp", "certomancer", "asyncio")


def quiet_libraries() -> None:
    """The terminal is for the report: library log lines (English, INFO and up) stay out."""
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)


class Command(BaseCommand):
    help = (
        "Kiểm tra chữ ký số của một tệp PDF (mã thoát 0 hợp lệ, 1 không hợp lệ, "
        "2 chưa xác định, 3 không đọc được, 4 hợp lệ nhưng có cảnh báo)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="In báo cáo dạng JSON.")
        parser.add_argument(
            "--pdf", type=Path, metavar="OUT.pdf", help="Ghi thêm báo cáo dạng PDF vào tệp này."
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="Ngôn ngữ của báo cáo dạng chữ và PDF (mặc định: tiếng Việt).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        quiet_libraries()
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.stderr.write(f"Không đọc được tệp {path}: {exc.strerror}")
            raise SystemExit(UNREADABLE) from exc
        report = validate_pdf(data, file_name=path.name)
        with translation.override(options["language"]):
            if options["json"]:
                self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
            else:
                self.stdout.write(_text(localize(report.as_json())))
            if options["pdf"]:
                options["pdf"].write_bytes(report_pdf(report.as_json()))
        raise SystemExit(UNREADABLE if not report.readable else EXIT_CODES[report.outcome])


def _text(shown: dict) -> str:
    """*shown*: the report's JSON after ``localize`` (sentences in the active language).

    Outcomes and statuses are words of the active language ("Hợp lệ", "Đạt"…); scripts read
    the exit code or ``--json``, whose codes do not change with the language."""
    lines = [f"{shown['file_name']}: {shown['outcome_label'].upper()}", shown["summary"]]
    for result in shown["results"]:
        who = (result.get("signer") or {}).get("common_name", "")
        kind = (
            gettext("Chữ ký")
            if result["kind"] == "signature"
            else gettext("Dấu thời gian tài liệu")
        )
        lines.append(f"\n{kind} “{result['field_name']}” {who} — {result['outcome_label']}")
        lines += [f"  [{c['status_label']}] {c['title']}: {c['message']}" for c in result["checks"]]
        lines += [f"  {line}" for line in _visual_lines(result)]
    lines += [f"\n{gettext('Ghi chú')}: {note}" for note in shown["notes"]]
    return "\n".join(lines)


def _visual_lines(result: dict) -> list[str]:
    lines = []
    for change in result.get("visual_changes", []):
        if change.get("regions_display"):
            lines.append(
                gettext("Trang %(page)s khác lúc ký ở: %(regions)s (điểm PDF)")
                % {"page": change["page"], "regions": change["regions_display"]}
            )
    return lines
