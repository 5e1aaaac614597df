"""Upload checks: what a file really is, whether it is within limits, whether a PDF is sound.

Every refusal is a ValidationError whose message (in the request's language, Vietnamese by
default) the upload form shows as it is.
Nothing here writes anything: the services call these checks before storing a byte.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils import formats
from django.utils.translation import gettext
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from documents.uploads.active_content import pdf_active_content

logger = logging.getLogger(__name__)


class UploadKind(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    XLSX = "xlsx"
    ODT = "odt"


MIME_TYPES: dict[UploadKind, str] = {
    UploadKind.PDF: "application/pdf",
    UploadKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    UploadKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    UploadKind.ODT: "application/vnd.oasis.opendocument.text",
}
KIND_LABELS: dict[UploadKind, str] = {
    UploadKind.PDF: "PDF",
    UploadKind.DOCX: "Word (DOCX)",
    UploadKind.XLSX: "Excel (XLSX)",
    UploadKind.ODT: "OpenDocument (ODT)",
}
ACCEPTED_EXTENSIONS = ", ".join(f".{kind.value}" for kind in UploadKind)

# pypdf raises its own errors for what it recognises as broken, and plain Python errors for
# structures it does not expect (a dictionary where a number should be, a cycle...). A hostile
# file must end as a clear refusal, not a 500, so these are all "this PDF is malformed".
PDF_PARSE_ERRORS = (
    PyPdfError,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    AssertionError,
    RecursionError,
)
_EOF_WINDOW = 2048  # the PDF spec asks readers to look for %%EOF near the end, not at it


def upload_kind(upload: File) -> UploadKind:
    """Check size, extension and content of *upload*; return what it really is."""
    _check_size(upload)
    claimed = _claimed_kind(upload.name or "")
    actual = sniff_kind(upload)
    if actual is None or actual != claimed:
        raise ValidationError(
            gettext(
                "Tệp “%(name)s” có đuôi .%(extension)s nhưng nội dung không phải tệp %(kind)s. "
                "Hãy kiểm tra lại tệp."
            )
            % {
                "name": _base_name(upload),
                "extension": claimed.value,
                "kind": KIND_LABELS[claimed],
            },
            code="type_mismatch",
        )
    return actual


def _check_size(upload: File) -> None:
    size = upload.size or 0
    if size == 0:
        raise ValidationError(
            gettext("Tệp “%(name)s” rỗng (0 byte).") % {"name": _base_name(upload)}, code="empty"
        )
    limit = settings.KYHOP_UPLOAD_MAX_BYTES
    if size > limit:
        raise ValidationError(
            gettext("Tệp “%(name)s” dung lượng %(size)s, vượt giới hạn %(limit)s.")
            % {"name": _base_name(upload), "size": _megabytes(size), "limit": _megabytes(limit)},
            code="too_large",
        )


def _claimed_kind(name: str) -> UploadKind:
    extension = PurePath(name).suffix.lower().lstrip(".")
    try:
        return UploadKind(extension)
    except ValueError:
        raise ValidationError(
            gettext("Không nhận tệp “%(name)s”: chỉ nhận các định dạng %(extensions)s.")
            % {"name": PurePath(name).name, "extensions": ACCEPTED_EXTENSIONS},
            code="extension",
        ) from None


def sniff_kind(upload: File) -> UploadKind | None:
    """Tell the type from the bytes (magic numbers, ZIP members), never from the name."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return UploadKind.PDF
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(upload)
    return None


def _sniff_zip(upload: File) -> UploadKind | None:
    _check_member_count(upload)
    try:
        # An upload being checked is open; File types its file as optional.
        with zipfile.ZipFile(upload.file) as archive:  # type: ignore[arg-type]
            _check_unpacked_size(archive, upload=upload)
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == MIME_TYPES[
                UploadKind.ODT
            ].encode("ascii"):
                return UploadKind.ODT
    except ZIP_ERRORS:
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return UploadKind.DOCX
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return UploadKind.XLSX
    return None


# A broken, encrypted (RuntimeError) or oddly compressed (NotImplementedError) archive is no
# office file we can convert.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
    ValueError,
)
_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22


def _check_member_count(upload: File) -> None:
    """Refuse an archive with too many members before Python parses its directory.

    Reading the central directory builds an object per member: 200 MB of tiny members would
    cost gigabytes of memory. The count is in the end-of-directory record, found the way
    ``zipfile`` finds it. ZIP64 (more than 65,535 members) is never an office document.
    """
    upload.seek(0, 2)
    size = upload.tell()
    upload.seek(max(0, size - (_EOCD_SIZE + 65_535)))
    tail = upload.read()
    upload.seek(0)
    at_end = tail[-_EOCD_SIZE:].startswith(_EOCD)  # no archive comment: the usual case
    start = len(tail) - _EOCD_SIZE if at_end else tail.rfind(_EOCD)
    if start < 0 or len(tail) < start + _EOCD_SIZE:
        return  # no directory: zipfile refuses the file itself
    members = int.from_bytes(tail[start + 10 : start + 12], "little")
    if members == 0xFFFF or members > settings.KYHOP_OFFICE_MAX_MEMBERS:
        raise ValidationError(
            gettext(
                "Tệp “%(name)s” chứa quá nhiều thành phần nén (tối đa %(limit)s); KyHop không "
                "xử lý tệp này."
            )
            % {"name": _base_name(upload), "limit": settings.KYHOP_OFFICE_MAX_MEMBERS},
            code="zip_members",
        )


def _check_unpacked_size(archive: zipfile.ZipFile, *, upload: File) -> None:
    """Refuse an archive that unpacks past the limits, before LibreOffice ever sees it.

    A small ZIP can unpack to gigabytes (a "zip bomb"): a 194 KB file held a request for two
    minutes. The sizes the archive declares are checked first; then every member is unpacked
    (read and thrown away, stopping at the limit), because declared sizes can lie and zipfile
    refuses a member whose bytes do not match its declared size and checksum.
    """
    packed = upload.size or 0
    limit = min(settings.KYHOP_OFFICE_MAX_UNPACKED_BYTES, packed * settings.KYHOP_OFFICE_MAX_RATIO)
    infos = archive.infolist()
    if sum(info.file_size for info in infos) > limit:
        _refuse_expansion(upload, limit)
    unpacked = 0
    for info in infos:
        with archive.open(info) as member:
            while chunk := member.read(1 << 20):
                unpacked += len(chunk)
                if unpacked > limit:
                    _refuse_expansion(upload, limit)


def _refuse_expansion(upload: File, limit: int) -> None:
    raise ValidationError(
        gettext(
            "Tệp “%(name)s” là tệp nén; giải nén ra sẽ lớn hơn %(limit)s (KyHop chỉ nhận tệp giải "
            "nén không quá %(max)s và không quá %(max_ratio)s lần dung lượng tệp). Tệp có thể đã "
            "bị làm hỏng có chủ ý nên không được chuyển đổi; hãy mở và lưu lại tệp bằng Word "
            "hoặc LibreOffice, hoặc tải lên bản PDF."
        )
        % {
            "name": _base_name(upload),
            "limit": _megabytes(limit),
            "max": _megabytes(settings.KYHOP_OFFICE_MAX_UNPACKED_BYTES),
            "max_ratio": settings.KYHOP_OFFICE_MAX_RATIO,
        },
        code="zip_bomb",
    )


@dataclass(frozen=True)
class PdfFacts:
    page_count: int
    active_content: list[str]  # ActiveContentKind values; empty when none was found


def pdf_check(stream: IO[bytes], *, label: str) -> int:
    """Refuse a truncated, malformed, encrypted, empty or over-long PDF; return its page count."""
    return pdf_inspect(stream, label=label).page_count


def pdf_inspect(stream: IO[bytes], *, label: str) -> PdfFacts:
    """``pdf_check``, and what the PDF could run by itself (accepted, but flagged)."""
    _check_pdf_header_and_tail(stream, label=label)
    try:
        reader = _sound_reader(stream, label=label)
        return PdfFacts(page_count=len(reader.pages), active_content=_active(reader, label))
    finally:
        stream.seek(0)


def _sound_reader(stream: IO[bytes], *, label: str) -> PdfReader:
    try:
        reader = PdfReader(stream, strict=settings.KYHOP_UPLOAD_PDF_STRICT)
        if reader.is_encrypted:
            raise ValidationError(
                gettext(
                    "Tệp “%(name)s” được mã hoá hoặc đặt mật khẩu; hãy tải lên bản không mã hoá."
                )
                % {"name": label},
                code="encrypted",
            )
        _check_page_count(len(reader.pages), label=label)
        for page in reader.pages:
            # Loading each page's box walks its page-tree entry and resources: a page that
            # cannot load here would fail in the viewer or the signer later.
            _ = page.mediabox.width
    except PDF_PARSE_ERRORS as exc:
        logger.info("PDF refused (%s): %s: %s", label, type(exc).__name__, exc)
        raise ValidationError(
            gettext("Tệp “%(name)s” bị hỏng hoặc không đúng cấu trúc PDF nên không đọc được.")
            % {"name": label},
            code="malformed",
        ) from exc
    return reader


def _active(reader: PdfReader, label: str) -> list[str]:
    try:
        return pdf_active_content(reader)
    except PDF_PARSE_ERRORS as exc:
        # The pages are sound; an action that cannot be read cannot be run either.
        logger.info("active content scan of %s failed: %s: %s", label, type(exc).__name__, exc)
        return []


def _check_pdf_header_and_tail(stream: IO[bytes], *, label: str) -> None:
    stream.seek(0)
    if not stream.read(5).startswith(b"%PDF-"):
        raise ValidationError(
            gettext("Tệp “%(name)s” không phải tệp PDF.") % {"name": label}, code="not_pdf"
        )
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(max(0, size - _EOF_WINDOW))
    tail = stream.read()
    stream.seek(0)
    if b"%%EOF" not in tail:
        raise ValidationError(
            gettext(
                "Tệp “%(name)s” bị cắt cụt (thiếu phần kết thúc của PDF); hãy tải lên lại tệp "
                "đầy đủ."
            )
            % {"name": label},
            code="truncated",
        )


def _check_page_count(page_count: int, *, label: str) -> None:
    if page_count == 0:
        raise ValidationError(
            gettext("Tệp “%(name)s” không có trang nào.") % {"name": label}, code="no_pages"
        )
    limit = settings.KYHOP_UPLOAD_MAX_PAGES
    if page_count > limit:
        raise ValidationError(
            gettext("Tệp “%(name)s” có %(pages)d trang, vượt giới hạn %(limit)d trang.")
            % {"name": label, "pages": page_count, "limit": limit},
            code="too_many_pages",
        )


def _base_name(upload: File) -> str:
    return PurePath(upload.name or "").name


def _megabytes(size: int) -> str:
    # The decimal separator of the active language: 12,5 MB in Vietnamese, 12.5 MB in English.
    return f"{formats.number_format(size / (1024 * 1024), 1)} MB"
