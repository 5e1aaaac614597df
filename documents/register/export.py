"""The outgoing register as a spreadsheet: CSV and Excel (.xlsx), the columns an archivist reads.

Both guard against formula injection: an abstract or a signer's name typed as "=HYPERLINK(…)"
must reach the spreadsheet as text, never as a formula (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from documents.models import OutgoingEntry

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Column widths in characters, in the order of headings().
WIDTHS = (9, 18, 12, 16, 60, 24, 30, 24, 20)


def headings() -> list[str]:
    """The register's columns (Decree 30, Appendix: sổ văn bản đi)."""
    return [
        gettext("Số thứ tự"),
        gettext("Số, ký hiệu"),
        gettext("Ngày văn bản"),
        gettext("Loại văn bản"),
        gettext("Trích yếu"),
        gettext("Người ký"),
        gettext("Cơ quan"),
        gettext("Người vào sổ"),
        gettext("Vào sổ lúc"),
    ]


def as_text(value: str) -> str:
    """*value* as a spreadsheet will show it, never run: a leading formula sign is quoted."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _texts(entry: OutgoingEntry) -> list[str]:
    return [
        entry.number_symbol,
        gettext(entry.get_doc_type_display()),
        entry.abstract,
        entry.signer_name,
        entry.body.name,
        str(entry.recorded_by),
    ]


def csv_lines(entries: QuerySet[OutgoingEntry]) -> Iterator[str]:
    """The register as CSV lines, streamed; a byte-order mark first, so that spreadsheet
    programs read the Vietnamese as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(row: Iterable[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        return buffer.getvalue()

    yield "\ufeff" + line(headings())
    for entry in entries.iterator(chunk_size=500):
        number_symbol, kind, abstract, signer, body, recorder = (as_text(v) for v in _texts(entry))
        yield line(
            [
                str(entry.number),
                number_symbol,
                entry.issued_on.strftime("%d/%m/%Y"),
                kind,
                abstract,
                signer,
                body,
                recorder,
                timezone.localtime(entry.recorded_at).isoformat(timespec="seconds"),
            ]
        )


def xlsx_bytes(entries: QuerySet[OutgoingEntry], *, title: str) -> bytes:
    """The register as one Excel sheet: numbers as numbers, dates as dates, text as text."""
    book = Workbook(write_only=True)
    sheet: Worksheet = book.create_sheet(title=title[:31])  # Excel's limit on sheet names
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in headings():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for entry in entries.iterator(chunk_size=500):
        number_symbol, kind, abstract, signer, body, recorder = _texts(entry)
        issued = WriteOnlyCell(sheet, value=dt.datetime.combine(entry.issued_on, dt.time()))
        issued.number_format = "DD/MM/YYYY"
        recorded = WriteOnlyCell(
            sheet, value=timezone.localtime(entry.recorded_at).replace(tzinfo=None)
        )
        recorded.number_format = "DD/MM/YYYY HH:MM"
        sheet.append(
            [
                entry.number,
                _text_cell(sheet, number_symbol),
                issued,
                _text_cell(sheet, kind),
                _text_cell(sheet, abstract, wrap),
                _text_cell(sheet, signer),
                _text_cell(sheet, body),
                _text_cell(sheet, recorder),
                recorded,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text_cell(sheet: Worksheet, value: str, alignment: Alignment | None = None) -> Cell:
    # openpyxl stores a string that starts with "=" as a formula unless told it is a string.
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    if alignment is not None:
        cell.alignment = alignment
    return cell
