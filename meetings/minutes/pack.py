"""The meeting pack a participant takes away: agenda, documents and minutes, as a ZIP (streamed,
never held whole in memory) or as one PDF with a bookmark per document."""

from __future__ import annotations

import io
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, BinaryIO, cast

import pikepdf

from accounts.models import User
from documents.models import Document, DocumentVersion
from documents.selectors import documents_visible_to
from documents.storage import blob_open
from meetings.models import AgendaDocument, Meeting, MinutesDraft, MinutesStatus
from meetings.preparation.agenda import agenda_rows

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class PackFile:
    title: str  # the bookmark
    name: str  # the file name inside the ZIP
    version: DocumentVersion


def _ascii_name(text: str) -> str:
    # ZIP tools disagree on non-ASCII names; "Tờ trình" → "To-trinh" reads everywhere.
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _UNSAFE.sub("-", plain).strip("-")[:80] or "tai-lieu"


def _latest_versions(documents: list[Document]) -> dict[int, DocumentVersion]:
    versions = DocumentVersion.objects.filter(document__in=documents).select_related("blob")
    latest: dict[int, DocumentVersion] = {}
    for version in versions.order_by("document_id", "number"):
        latest[version.document_id] = version
    return latest


def _ordered_documents(meeting: Meeting) -> list[tuple[str, Document]]:
    """(heading, document) in the order a reader expects: invitation, agenda, items, minutes."""
    found: list[tuple[str, Document]] = []
    for label, document in (
        ("Giấy mời", meeting.invitation_document),
        ("Chương trình", meeting.agenda_document),
    ):
        if document is not None:
            found.append((label, document))
    numbers: dict[int, str] = {}
    for row in agenda_rows(meeting):
        numbers[row["item"].pk] = row["number"]
    links = AgendaDocument.objects.filter(item__meeting=meeting).select_related("document")
    ordered = sorted(
        links, key=lambda link: (numbers.get(link.item_id, ""), link.position, link.pk)
    )
    for link in ordered:
        found.append((f"Mục {numbers.get(link.item_id, '')}: {link.document}", link.document))
    signed = (
        # Only signed minutes go out: a draft in signing may still change.
        MinutesDraft.objects.filter(meeting=meeting, status=MinutesStatus.SIGNED)
        .select_related("document")
        .order_by("-version")
        .first()
    )
    if signed is not None:
        assert signed.document is not None  # signed minutes are their signed document
        found.append(("Biên bản", signed.document))
    return found


def pack_files(user: User, meeting: Meeting) -> list[PackFile]:
    """What *user* may take from *meeting*; confidential documents they are not cleared for are
    left out (the meeting itself was already checked by the caller)."""
    ordered = _ordered_documents(meeting)
    minutes_ids = {d.pk for label, d in ordered if label == "Biên bản"}
    allowed = set(
        documents_visible_to(user)
        .filter(pk__in=[d.pk for _label, d in ordered])
        .values_list("pk", flat=True)
    )
    # The minutes are the meeting's own record: every participant may read them, within their
    # clearance, even though the document belongs to the host body.
    allowed |= {
        d.pk
        for _label, d in ordered
        if d.pk in minutes_ids and d.confidentiality <= getattr(user, "clearance", 0)
    }
    latest = _latest_versions([d for _label, d in ordered if d.pk in allowed])
    files: list[PackFile] = []
    seen: set[int] = set()
    for index, (label, document) in enumerate(ordered, start=1):
        if document.pk in seen or document.pk not in latest:
            continue
        seen.add(document.pk)
        name = f"{index:02d}-{_ascii_name(label)}.pdf"
        files.append(PackFile(title=label, name=name, version=latest[document.pk]))
    return files


class _Pipe(io.RawIOBase):
    """A write-only sink whose bytes the generator hands out as they are produced."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def zip_stream(files: list[PackFile]) -> Iterator[bytes]:
    """The ZIP, produced chunk by chunk while the files are read (PDFs are stored, not
    deflated: they are compressed already, and storing keeps the CPU free)."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for item in files:
            with (
                blob_open(item.version.blob.storage_name) as source,
                archive.open(item.name, mode="w", force_zip64=True) as target,
            ):
                while chunk := source.read(_CHUNK):
                    target.write(chunk)
                    yield pipe.take()
    yield pipe.take()


def merged_pdf(files: list[PackFile], *, title: str) -> IO[bytes]:
    """All files as one PDF with a top-level bookmark per document (spooled to disk if big)."""
    merged = pikepdf.Pdf.new()
    merged.docinfo["/Title"] = title
    # The sources stay open until the merged file is written: pikepdf copies pages lazily.
    parts: list[pikepdf.Pdf] = []
    try:
        with merged.open_outline() as outline:
            for item in files:
                with blob_open(item.version.blob.storage_name) as source:
                    parts.append(pikepdf.Pdf.open(io.BytesIO(source.read())))
                first_page = len(merged.pages)
                merged.pages.extend(parts[-1].pages)
                outline.root.append(pikepdf.OutlineItem(item.title, first_page))
        output = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
        # A SpooledTemporaryFile is a binary file; typeshed types it IO[bytes], not BinaryIO.
        merged.save(cast(BinaryIO, output))
    finally:
        for part in parts:
            part.close()
    output.seek(0)
    return output
