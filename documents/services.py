"""Writes for documents, versions and work records; each is checked, atomic and audited."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.models import Body, Clearance, User, nfc
from audit.services import audit_record
from documents import hooks
from documents.models import (
    ActiveContent,
    Blob,
    Document,
    DocumentNote,
    DocumentStatus,
    DocumentVersion,
    NoteKind,
    ReadingCopy,
    Urgency,
    WorkRecord,
    WorkRecordStatus,
)
from documents.reader import reading
from documents.search import fold, pdf_text
from documents.selectors import (
    bodies_user_can_file_for,
    document_can_add_version,
    document_latest_version,
    document_visible_to,
    user_may_keep_records,
)
from documents.storage import blob_delete, blob_open, blob_write, digest
from documents.uploads.checks import MIME_TYPES, UploadKind, pdf_inspect, upload_kind
from documents.uploads.conversion import office_to_pdf

# --- Uploads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Prepared:
    """An upload that passed every check: the PDF readers will see, and the original if any."""

    pdf: IO[bytes]
    page_count: int
    original: File | None
    original_mime: str
    file_name: str
    active_content: list[str]  # what the PDF could run by itself (kept, shown as a warning)


@contextmanager
def _prepared(upload: File) -> Iterator[_Prepared]:
    """Check *upload* and, for office files, convert it; the temporary PDF lives only inside."""
    kind = upload_kind(upload)
    file_name = nfc(PurePath(upload.name or "").name)[:255]
    if kind is UploadKind.PDF:
        facts = pdf_inspect(upload, label=file_name)
        yield _Prepared(upload, facts.page_count, None, "", file_name, facts.active_content)
        return
    with office_to_pdf(upload, suffix=kind.value) as pdf:
        label = gettext("%(name)s (bản PDF chuyển đổi)") % {"name": file_name}
        facts = pdf_inspect(pdf, label=label)
        yield _Prepared(
            pdf, facts.page_count, upload, MIME_TYPES[kind], file_name, facts.active_content
        )


@contextmanager
def _removed_if_failed() -> Iterator[list[str]]:
    """Collect storage names written in this block; delete them if the block raises.

    Files are not transactional: without this a refused or failed write would leave bytes in the
    store that no row points to.
    """
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            blob_delete(name)
        raise


def _blob_store(
    stream: IO[bytes],
    *,
    mime: str,
    page_count: int | None,
    written: list[str],
    text: bool = True,
) -> Blob:
    """The Blob for these bytes: the existing one if the same bytes were stored before."""
    sha256, size = digest(stream)
    existing = Blob.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing
    extracted = ""
    if text and mime == MIME_TYPES[UploadKind.PDF]:
        extracted = pdf_text(stream, max_chars=settings.KYHOP_SEARCH_TEXT_MAX_CHARS)
    name, created = blob_write(stream, sha256=sha256)
    if created:
        written.append(name)
    blob = Blob(
        sha256=sha256,
        size=size,
        storage_name=name,
        mime=mime,
        page_count=page_count,
        text=extracted,
    )
    blob.full_clean()
    blob.save()
    return blob


# --- Documents --------------------------------------------------------------------------------


def document_create(
    *,
    actor: User,
    owning_body: Body,
    doc_type: str,
    abstract: str,
    upload: File,
    number: str = "",
    symbol: str = "",
    issuing_body: Body | None = None,
    issued_on: date | None = None,
    signer_name: str = "",
    confidentiality: int = Clearance.NORMAL,
    urgency: str = Urgency.NORMAL,
    status: str = DocumentStatus.DRAFT,
    note: str = "",
) -> Document:
    """Register a document with its first version. The issuing body defaults to the owner.

    The upload is checked (and an office file converted) before the transaction begins, after
    the permission checks: a conversion can take minutes, and on SQLite an open write
    transaction holds every other writer of the site meanwhile.
    """
    if not bodies_user_can_file_for(actor).filter(pk=owning_body.pk).exists():
        raise PermissionDenied(
            gettext("Bạn không thuộc cơ quan này nên không thể đăng ký văn bản cho nó.")
        )
    if confidentiality > actor.clearance and not actor.is_superuser:
        # Registering a document one could not then read would lock its author out of it.
        raise ValidationError(
            {
                "confidentiality": gettext(
                    "Bạn chưa được phép đọc tài liệu ở độ mật này nên không thể "
                    "đăng ký văn bản với độ mật đó."
                )
            }
        )
    with _prepared(upload) as prepared, transaction.atomic():
        return _document_save(
            actor=actor,
            prepared=prepared,
            note=note,
            document=Document(
                number=nfc(number),
                symbol=nfc(symbol).replace(" ", ""),
                doc_type=doc_type,
                abstract=nfc(abstract),
                issuing_body=issuing_body or owning_body,
                issued_on=issued_on,
                signer_name=nfc(signer_name),
                confidentiality=confidentiality,
                urgency=urgency,
                status=status,
                owning_body=owning_body,
                created_by=actor,
            ),
        )


def _document_save(*, actor: User, document: Document, prepared: _Prepared, note: str) -> Document:
    document.full_clean()
    document.save()
    version = _version_create(actor=actor, document=document, prepared=prepared, note=note)
    audit_record(
        actor=actor,
        verb="document.created",
        target=document,
        details={
            "number_symbol": document.number_symbol,
            "doc_type": document.doc_type,
            "owning_body": document.owning_body.code,
            "confidentiality": document.confidentiality,
            "urgency": document.urgency,
            "sha256": version.blob.sha256,
        },
    )
    return document


def document_version_add(
    *, actor: User, document: Document, upload: File, note: str = ""
) -> DocumentVersion:
    """Add the next immutable version; refuses bytes identical to the current version.

    As in ``document_create``, the upload is checked and converted before the transaction.
    """
    if not document_can_add_version(actor, document):
        raise PermissionDenied(gettext("Bạn không có quyền thêm phiên bản cho văn bản này."))
    with _prepared(upload) as prepared, transaction.atomic():
        # Lock the document row so two uploads at once get numbers n+1 and n+2, not both n+1.
        document = Document.objects.select_for_update().get(pk=document.pk)
        return _version_create(actor=actor, document=document, prepared=prepared, note=note)


def document_version_store_signed(
    *, actor: User, document: Document, data: bytes, note: str = ""
) -> DocumentVersion:
    """Store *data* (a PDF made from the latest version, e.g. by signing it) as the next version.

    No permission check here, on purpose: the right to store comes from the caller. A signing
    step lets a leader of another body sign a document they could not upload to, so the
    signing services check the step (and the version signed) before calling this; any other
    caller must do its own check first. Must run inside the caller's transaction, which should
    hold the document row (``select_for_update``) so two stores get numbers n+1 and n+2.
    The file name follows the version the data was made from; the upload checks still apply.
    """
    latest = document_latest_version(document)
    stem = (latest.file_name.rsplit(".", 1)[0] if latest else "") or "van-ban"
    upload = SimpleUploadedFile(f"{stem}.pdf", data, content_type=MIME_TYPES[UploadKind.PDF])
    with _prepared(upload) as prepared:
        return _version_create(
            actor=actor, document=document, prepared=prepared, note=nfc(note)[:500]
        )


def document_incoming_copy(*, actor: User, source: Document, body: Body, note: str) -> Document:
    """*body*'s own copy of *source* as an incoming document (status "Văn bản đến"): the same
    metadata and the same stored file of its current version (nothing copied on disk).

    No permission check here, on purpose, as for ``document_version_store_signed``: the
    sender is not a member of the receiving body, and the distribution service checks that
    they keep the issuing body's register. Must run inside the caller's transaction.
    """
    latest = document_latest_version(source)
    if latest is None:
        raise ValidationError(gettext("Văn bản chưa có tệp nào."))
    document = Document(
        number=source.number,
        symbol=source.symbol,
        doc_type=source.doc_type,
        abstract=source.abstract,
        issuing_body=source.issuing_body,
        issued_on=source.issued_on,
        signer_name=source.signer_name,
        confidentiality=source.confidentiality,
        urgency=source.urgency,
        status=DocumentStatus.INCOMING,
        owning_body=body,
        created_by=actor,
    )
    document.full_clean()
    document.save()
    version = _version_save(
        actor=actor,
        document=document,
        pdf_blob=latest.blob,
        original=None,
        file_name=latest.file_name,
        note=note,
    )
    _search_text_refresh(document, latest.blob)
    audit_record(
        actor=actor,
        verb="document.received",
        target=document,
        details={
            "source": source.pk,
            "number_symbol": document.number_symbol,
            "owning_body": body.code,
            "sha256": latest.blob.sha256,
        },
    )
    # The signature validation runs on it as on any incoming document (signing's hook).
    hooks.version_added_notify(actor=actor, version=version)
    return document


def _version_create(
    *, actor: User, document: Document, prepared: _Prepared, note: str
) -> DocumentVersion:
    latest = document_latest_version(document)
    with _removed_if_failed() as written:
        pdf_blob = _blob_store(
            prepared.pdf,
            mime=MIME_TYPES[UploadKind.PDF],
            page_count=prepared.page_count,
            written=written,
        )
        if latest is not None and latest.blob_id == pdf_blob.pk:
            raise ValidationError(
                gettext("Tệp này giống hệt phiên bản %(number)d hiện tại; không tạo phiên bản mới.")
                % {"number": latest.number}
            )
        _reading_copy_ensure(pdf_blob, written=written)
        if prepared.active_content:
            ActiveContent.objects.get_or_create(
                blob=pdf_blob, defaults={"kinds": prepared.active_content}
            )
        original = None
        if prepared.original is not None:
            original = _blob_store(
                prepared.original, mime=prepared.original_mime, page_count=None, written=written
            )
        version = _version_save(
            actor=actor,
            document=document,
            pdf_blob=pdf_blob,
            original=original,
            file_name=prepared.file_name,
            note=note,
        )
    _search_text_refresh(document, pdf_blob)
    audit_record(
        actor=actor,
        verb="document.version_added",
        target=version,
        details={
            "document": document.pk,
            "number": version.number,
            "sha256": pdf_blob.sha256,
            "size": pdf_blob.size,
            "pages": pdf_blob.page_count,
            "original_sha256": original.sha256 if original else None,
            "file_name": version.file_name,
            "active_content": prepared.active_content,
        },
    )
    # Apps above documents react once the version is committed (signing checks incoming PDFs).
    hooks.version_added_notify(actor=actor, version=version)
    return version


def _reading_copy_ensure(blob: Blob, *, written: list[str]) -> None:
    """Give a large PDF its reading copy (once per stored file)."""
    if (
        blob.size < settings.KYHOP_READING_COPY_MIN_BYTES
        or ReadingCopy.objects.filter(source=blob).exists()
    ):
        return
    with reading.temporary_workdir() as workdir, blob_open(blob.storage_name) as stream:
        copy_path = reading.packed_copy(stream, Path(workdir))
        if copy_path is None:
            return
        with copy_path.open("rb") as copy:
            copy_blob = _blob_store(
                copy, mime=blob.mime, page_count=blob.page_count, written=written, text=False
            )
    ReadingCopy.objects.create(source=blob, blob=copy_blob)


def _version_save(
    *,
    actor: User,
    document: Document,
    pdf_blob: Blob,
    original: Blob | None,
    file_name: str,
    note: str,
) -> DocumentVersion:
    highest = document.versions.aggregate(highest=Max("number"))["highest"] or 0
    version = DocumentVersion(
        document=document,
        number=highest + 1,
        blob=pdf_blob,
        original=original,
        file_name=file_name,
        note=nfc(note),
        created_by=actor,
    )
    version.full_clean()
    version.save(force_insert=True)
    return version


def _search_text_refresh(document: Document, latest_blob: Blob) -> None:
    """Metadata and the latest version's text, folded, in the one column search reads."""
    issuing = document.issuing_body
    fields = [
        document.number_symbol,
        document.get_doc_type_display(),
        document.abstract,
        document.signer_name,
        issuing.name if issuing else "",
        issuing.symbol if issuing else "",
        document.owning_body.name,
    ]
    document.search_text = f"{fold(' '.join(fields))} {latest_blob.text}".strip()
    document.save(update_fields=["search_text", "updated_at"])


# --- Work records (hồ sơ công việc) -----------------------------------------------------------


def _require_record_keeper(actor: User, body: Body) -> None:
    if not user_may_keep_records(actor, body):
        raise PermissionDenied(
            gettext("Chỉ văn thư, thư ký hoặc lãnh đạo của cơ quan mới lập hồ sơ.")
        )


@transaction.atomic
def work_record_open(
    *, actor: User, code: str, name: str, owning_body: Body, retention_years: int | None
) -> WorkRecord:
    """Open a record; ``retention_years=None`` means permanent retention (vĩnh viễn)."""
    _require_record_keeper(actor, owning_body)
    record = WorkRecord(
        code=nfc(code),
        name=nfc(name),
        owning_body=owning_body,
        retention_years=retention_years,
        created_by=actor,
    )
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        verb="work_record.opened",
        target=record,
        details={"code": record.code, "body": owning_body.code, "retention": retention_years},
    )
    return record


def _locked_open_record(record: WorkRecord) -> WorkRecord:
    locked = WorkRecord.objects.select_for_update().get(pk=record.pk)
    if locked.status == WorkRecordStatus.CLOSED:
        raise ValidationError(
            gettext("Hồ sơ “%(code)s” đã đóng; không thể thay đổi.") % {"code": locked.code}
        )
    return locked


@transaction.atomic
def work_record_add(*, actor: User, record: WorkRecord, document: Document) -> WorkRecord:
    """Put *document* into *record*; adding one already there changes nothing."""
    _require_record_keeper(actor, record.owning_body)
    if not document_visible_to(actor, document):
        raise PermissionDenied(
            gettext("Bạn không xem được văn bản này nên không thể đưa vào hồ sơ.")
        )
    record = _locked_open_record(record)
    if record.documents.filter(pk=document.pk).exists():
        return record
    record.documents.add(document)
    audit_record(
        actor=actor,
        verb="work_record.document_added",
        target=record,
        details={"code": record.code, "document": document.pk},
    )
    return record


@transaction.atomic
def work_record_close(*, actor: User, record: WorkRecord) -> WorkRecord:
    _require_record_keeper(actor, record.owning_body)
    record = _locked_open_record(record)
    record.status = WorkRecordStatus.CLOSED
    record.closed_at = timezone.now()
    record.full_clean()
    record.save(update_fields=["status", "closed_at"])
    audit_record(
        actor=actor,
        verb="work_record.closed",
        target=record,
        details={"code": record.code, "documents": record.documents.count()},
    )
    return record


# --- Private notes ----------------------------------------------------------------------------

NOTE_TEXT_MAX_CHARS = 5000
# PDF pages are at most 14,400 points on a side (ISO 32000, user units of 1).
_PAGE_POINTS_MAX = 14_400.0

Rect = list[float]


def _note_rect(rect: object, *, required: bool) -> Rect | None:
    """A clean ``[x, y, width, height]`` in points, or None; anything else is refused."""
    if rect is None:
        if required:
            raise ValidationError({"rect": gettext("Hãy kéo chọn vùng cần đánh dấu trên trang.")})
        return None
    if (
        not isinstance(rect, list | tuple)
        or len(rect) != 4
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in rect)
    ):
        raise ValidationError({"rect": gettext("Vùng đánh dấu không hợp lệ.")})
    x, y, width, height = (round(float(v), 2) for v in rect)
    if not (0 <= x <= _PAGE_POINTS_MAX and 0 <= y <= _PAGE_POINTS_MAX):
        raise ValidationError({"rect": gettext("Vùng đánh dấu nằm ngoài trang.")})
    if not (0 < width <= _PAGE_POINTS_MAX and 0 < height <= _PAGE_POINTS_MAX):
        raise ValidationError({"rect": gettext("Vùng đánh dấu quá nhỏ hoặc quá lớn.")})
    return [x, y, width, height]


def _note_text(text: str, *, kind: str) -> str:
    text = nfc(text)
    if len(text) > NOTE_TEXT_MAX_CHARS:
        raise ValidationError(
            {"text": gettext("Ghi chú dài quá %(count)d ký tự.") % {"count": NOTE_TEXT_MAX_CHARS}}
        )
    if not text and kind != NoteKind.HIGHLIGHT:
        raise ValidationError({"text": gettext("Ghi chú đang để trống.")})
    return text


def _require_note_reader(actor: User, document: Document) -> None:
    if not document_visible_to(actor, document):
        raise PermissionDenied(gettext("Bạn không xem được văn bản này."))


def _require_note_author(actor: User, note: DocumentNote) -> None:
    # Even a superuser may not touch someone else's note: notes are private to their author.
    if note.author_id != actor.pk:
        raise PermissionDenied(gettext("Đây không phải ghi chú của bạn."))
    _require_note_reader(actor, note.document)


def _note_audit(actor: User, verb: str, note: DocumentNote) -> None:
    """Where and what kind, never the text: the trail is readable by others, notes are not."""
    audit_record(
        actor=actor,
        verb=verb,
        target=note,
        details={
            "document": note.document_id,
            "version": note.version_number,
            "page": note.page,
            "kind": note.kind,
        },
    )


@transaction.atomic
def note_add(
    *,
    actor: User,
    document: Document,
    version_number: int,
    kind: str = NoteKind.TEXT,
    text: str = "",
    page: int | None = None,
    rect: object = None,
) -> DocumentNote:
    """Add a private note while reading version *version_number* of *document*."""
    _require_note_reader(actor, document)
    version = document.versions.select_related("blob").filter(number=version_number).first()
    if version is None:
        raise ValidationError({"version_number": gettext("Không có phiên bản này.")})
    if kind not in NoteKind.values:
        raise ValidationError({"kind": gettext("Loại ghi chú không hợp lệ.")})
    pages = version.blob.page_count
    if page is not None and (page < 1 or (pages is not None and page > pages)):
        if pages is None:
            raise ValidationError({"page": gettext("Số trang không hợp lệ.")})
        raise ValidationError(
            {
                "page": ngettext(
                    "Văn bản chỉ có %(count)d trang.", "Văn bản chỉ có %(count)d trang.", pages
                )
                % {"count": pages}
            }
        )
    note = DocumentNote(
        author=actor,
        document=document,
        version_number=version.number,
        page=page,
        kind=kind,
        text=_note_text(text, kind=kind),
        rect=_note_rect(rect, required=kind == NoteKind.HIGHLIGHT),
    )
    if note.rect is not None and page is None:
        raise ValidationError({"page": gettext("Vùng đánh dấu phải thuộc một trang.")})
    note.full_clean()
    note.save()
    _note_audit(actor, "document_note.added", note)
    return note


@transaction.atomic
def note_update(*, actor: User, note: DocumentNote, text: str) -> DocumentNote:
    """Change the text of one's own note (its place stays where it was drawn)."""
    _require_note_author(actor, note)
    note.text = _note_text(text, kind=note.kind)
    note.full_clean()
    note.save(update_fields=["text", "updated_at"])
    _note_audit(actor, "document_note.updated", note)
    return note


@transaction.atomic
def note_delete(*, actor: User, note: DocumentNote) -> None:
    _require_note_author(actor, note)
    _note_audit(actor, "document_note.deleted", note)
    note.delete()
