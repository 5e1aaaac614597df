"""Administrative documents in the Decree 30/2020/NĐ-CP layout, rendered to PDF/A.

Callers (invitations, agendas, minutes, conclusion notices) describe a document with the typed
dataclasses below and get HTML, PDF/A bytes, and the rectangle of every signer's signature area so
the signing pipeline can put a signature field exactly there. The layout itself lives in
``templates/documents/decree30/`` (Appendix I, Part I of the Decree: A4, margins, Times-metric
serif, header table, date line, type and abstract, signer blocks, "Nơi nhận").

Nothing is fetched from the network while rendering: the CSS is part of the template and only
``data:`` URLs are allowed (charts and images are passed inline by callers).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import weasyprint
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeData, SafeString, mark_safe
from weasyprint.formatting_structure.boxes import Box
from weasyprint.urls import FatalURLFetchingError, URLFetcher

TEMPLATE_NAME = "documents/decree30/base.html"

# PDF/A-3b: archival, and unlike PDF/A-2 it lets the record embed its source data (e.g. the
# meeting's events as JSON) as associated files later. Conformance "b" (visual) because the
# signing pipeline appends incremental updates that would have to keep a tag tree ("a") intact.
PDF_VARIANT = "pdf/a-3b"

# CSS px are 1/96 inch, PDF points 1/72 inch.
PT_PER_PX = 0.75

# Signature field names end up in the PDF AcroForm, where "." separates hierarchy levels, and as
# HTML ids; keep them to a portable subset.
_FIELD_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")

# The sign field element in the template carries this id prefix (see base.html).
_SIGNATURE_AREA_PREFIX = "kyhop-sig-"


def nfc(value: str) -> str:
    """Vietnamese arrives in NFD from some keyboards and files; documents carry NFC only."""
    return unicodedata.normalize("NFC", value).strip()


def _nfc_lines(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(nfc(value) for value in values)


@dataclass(frozen=True)
class Signer:
    """One signer block (chức vụ, họ tên người ký) and its signature field.

    ``authority`` holds the lines above the position: "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", …
    ``field_id`` names the PDF signature field the signing pipeline creates for this signer.
    """

    position: str
    full_name: str
    field_id: str
    authority: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _FIELD_ID.match(self.field_id):
            raise ValueError(f"Tên ô chữ ký không hợp lệ: {self.field_id!r}.")
        object.__setattr__(self, "position", nfc(self.position))
        object.__setattr__(self, "full_name", nfc(self.full_name))
        object.__setattr__(self, "authority", _nfc_lines(self.authority))
        if not self.position or not self.full_name:
            raise ValueError("Khối chữ ký phải có chức vụ và họ tên người ký.")

    @property
    def signature_area_id(self) -> str:
        return _SIGNATURE_AREA_PREFIX + self.field_id


@dataclass(frozen=True)
class Annex:
    """A document listed in the annex (phụ lục) table, e.g. a meeting's documents."""

    title: str
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", nfc(self.title))
        object.__setattr__(self, "note", nfc(self.note))


@dataclass(frozen=True)
class AdministrativeDocument:
    """What a Decree 30 administrative document shows.

    Body names are given as written ("Sở Thông tin và Truyền thông"); the template sets them in
    capitals. A "\\n" in a body name forces the line break the clerk wants in the header.
    ``date`` may be ``None`` for drafts: the number and date are assigned at issue (Art. 15.3).
    ``body_html`` must be safe HTML (``render_to_string`` output or ``mark_safe``): it is
    inserted unescaped, so raw user text must never reach it.
    ``is_official_letter`` (công văn): no type title; "V/v <abstract>" sits under the number.
    Signers are laid out left to right; for minutes pass (secretary, chair).
    """

    issuing_body: str
    number_symbol: str
    date: dt.date | None
    place_name: str
    document_type: str
    abstract: str
    body_html: SafeString
    signers: tuple[Signer, ...]
    parent_body: str = ""
    is_official_letter: bool = False
    addressees: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    annexes: tuple[Annex, ...] = ()

    def __post_init__(self) -> None:
        self._check()
        for name in ("issuing_body", "number_symbol", "place_name", "document_type", "abstract"):
            object.__setattr__(self, name, nfc(getattr(self, name)))
        object.__setattr__(self, "parent_body", nfc(self.parent_body))
        object.__setattr__(self, "addressees", _nfc_lines(self.addressees))
        object.__setattr__(self, "recipients", _nfc_lines(self.recipients))
        # NFC composes letters with their marks; it cannot create markup, so the HTML stays safe.
        object.__setattr__(self, "body_html", mark_safe(nfc(self.body_html)))  # noqa: S308

    def _check(self) -> None:
        if not isinstance(self.body_html, SafeData):
            raise TypeError("body_html phải là HTML an toàn (render_to_string hoặc mark_safe).")
        if not 1 <= len(self.signers) <= 2:
            raise ValueError("Văn bản phải có một hoặc hai khối chữ ký.")
        ids = [signer.field_id for signer in self.signers]
        if len(set(ids)) != len(ids):
            raise ValueError("Tên các ô chữ ký phải khác nhau.")
        if not self.is_official_letter and not self.document_type.strip():
            raise ValueError("Văn bản có tên loại phải ghi tên loại (ví dụ: TỜ TRÌNH).")


def document_as_json(doc: AdministrativeDocument) -> dict[str, Any]:
    """What *doc* was made of, as JSON: kept with a signing request so that the document can
    be laid out again with another signer block (delegation, Decree 30 Art. 13) and say
    exactly what it said before, save that block."""
    data = dataclasses.asdict(doc)
    data["date"] = doc.date.isoformat() if doc.date else None
    data["body_html"] = str(doc.body_html)
    return data


def document_from_json(data: dict[str, Any]) -> AdministrativeDocument:
    """The document ``document_as_json`` kept. Its ``body_html`` was safe HTML when it was
    kept (``AdministrativeDocument`` refuses any other) and KyHop alone writes it back."""
    fields = dict(data)
    fields["date"] = dt.date.fromisoformat(data["date"]) if data.get("date") else None
    fields["body_html"] = mark_safe(data["body_html"])  # noqa: S308
    fields["signers"] = tuple(_signer_from(signer) for signer in data["signers"])
    fields["annexes"] = tuple(Annex(**a) for a in data.get("annexes", ()))
    for name in ("addressees", "recipients"):
        fields[name] = tuple(data.get(name, ()))
    return AdministrativeDocument(**fields)


def _signer_from(data: dict[str, Any]) -> Signer:
    return Signer(
        position=data["position"],
        full_name=data["full_name"],
        field_id=data["field_id"],
        authority=tuple(data.get("authority", ())),
    )


@dataclass(frozen=True)
class PdfRect:
    """A rectangle on one page in PDF user space: points, origin at the bottom-left corner."""

    page_index: int
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class RenderedDocument:
    """The PDF/A bytes and, per signer ``field_id``, where its signature goes."""

    pdf: bytes
    signature_rects: dict[str, PdfRect]


def vietnamese_date_line(place: str, day: dt.date | None) -> str:
    """The place and date line as Decree 30 writes it: "Bắc Ninh, ngày 05 tháng 02 năm 2026".

    Days below 10 and the months January and February take a leading zero (so "ngày 1 tháng 1"
    cannot be misread or altered into "ngày 11 tháng 11"); March to December do not.
    Without a date (a draft awaiting issue) the numbers are left blank for the system to fill in.
    """
    when = _date_phrase(day)
    place = nfc(place)
    return f"{place}, {when}" if place else when[:1].upper() + when[1:]


def _date_phrase(day: dt.date | None) -> str:
    if isinstance(day, dt.datetime) and timezone.is_aware(day):
        # The document's date is the Vietnamese calendar day, not the UTC one.
        day = timezone.localtime(day)
    if day is None:
        gap = "\u00a0" * 6
        return f"ngày{gap}tháng{gap}năm{gap}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _annex_reference(doc: AdministrativeDocument) -> str:
    """The line under an annex title: "(Kèm theo Tờ trình số 45/TTr-STTTT ngày … của Sở …)"."""
    kind = "Công văn" if doc.is_official_letter else doc.document_type.lower().capitalize()
    issuer = " ".join(doc.issuing_body.split())  # the header's forced line breaks do not apply
    return f"(Kèm theo {kind} số {doc.number_symbol} {_date_phrase(doc.date)} của {issuer})"


def render_html(doc: AdministrativeDocument) -> str:
    """The document as one self-contained HTML page (CSS inline), ready for WeasyPrint."""
    context = {
        "doc": doc,
        "date_line": vietnamese_date_line(doc.place_name, doc.date),
        "title": doc.abstract or doc.document_type,
        "annex_reference": _annex_reference(doc),
    }
    return render_to_string(TEMPLATE_NAME, context)


def render(doc: AdministrativeDocument) -> RenderedDocument:
    """Lay the document out once; return the PDF/A bytes and the signature rectangles."""
    layout = _layout(doc)
    rects = {signer.field_id: _signature_rect(layout, signer) for signer in doc.signers}
    return RenderedDocument(pdf=layout.write_pdf(pdf_variant=PDF_VARIANT), signature_rects=rects)


def render_pdf(doc: AdministrativeDocument) -> bytes:
    """The document as PDF/A-3b bytes with its fonts embedded."""
    return _layout(doc).write_pdf(pdf_variant=PDF_VARIANT)


def signature_rects(doc: AdministrativeDocument) -> dict[str, PdfRect]:
    """Where each signer's signature goes, keyed by ``Signer.field_id``.

    How it is found: the template gives each signer's blank signature area (between the
    position and the full name, where Decree 30 puts the signature image) the HTML id
    ``kyhop-sig-<field_id>``. After WeasyPrint lays the document out, we walk each page's box
    tree (``Document.pages[i]._page_box``; WeasyPrint's public ``Page.anchors`` only gives the
    top-left point of an id, not its size) for the block box of that element and convert its
    border box from CSS pixels (origin top-left) to PDF points (origin bottom-left). The signer
    blocks are ``break-inside: avoid`` (decree30.css), so each area lies on a single page.
    The rectangle is 30 mm high and spans the signer column's width, which leaves room for the
    agency seal overlapping the left third of the signature image.

    Use ``render()`` to get the PDF and the rectangles from a single layout pass.
    """
    layout = _layout(doc)
    return {signer.field_id: _signature_rect(layout, signer) for signer in doc.signers}


def _offline_fetcher() -> URLFetcher:
    # Only inline data: URLs. A document must render the same on an air-gapped server, and
    # body HTML must not make the server read file:// or fetch http:// resources.
    # fail_on_errors turns any other URL into FatalURLFetchingError instead of a quiet warning.
    return URLFetcher(allowed_protocols=("data",), fail_on_errors=True)


def _layout(doc: AdministrativeDocument) -> weasyprint.Document:
    html = weasyprint.HTML(string=render_html(doc), url_fetcher=_offline_fetcher())
    try:
        return html.render(pdf_variant=PDF_VARIANT)
    except FatalURLFetchingError as error:
        # Dropping the resource would silently change the document, so refuse it instead.
        raise ValueError(
            "Văn bản chỉ được dùng hình ảnh nhúng trực tiếp (data:), không tải từ tệp hay mạng."
        ) from error


def _signature_rect(layout: weasyprint.Document, signer: Signer) -> PdfRect:
    for page_index, page in enumerate(layout.pages):
        for box in _boxes_with_id(page, signer.signature_area_id):
            x, y = box.border_box_x(), box.border_box_y()
            width, height = box.border_width(), box.border_height()
            return PdfRect(
                page_index=page_index,
                x1=x * PT_PER_PX,
                y1=(page.height - y - height) * PT_PER_PX,
                x2=(x + width) * PT_PER_PX,
                y2=(page.height - y) * PT_PER_PX,
            )
    raise LookupError(f"Không tìm thấy vị trí chữ ký {signer.field_id!r} trong bản dàn trang.")


def _boxes_with_id(page: weasyprint.Page, element_id: str) -> Iterator[Box]:
    # ``_page_box`` is private but has been stable since WeasyPrint 53; a test guards it.
    # Anonymous boxes inside the area share its element; the first match is the area's own box.
    for box in page._page_box.descendants():
        element = getattr(box, "element", None)
        if element is not None and element.get("id") == element_id:
            yield box
