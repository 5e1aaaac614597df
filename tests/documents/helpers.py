"""Helpers of the documents tests (plain functions; the fixtures are in conftest.py)."""

from __future__ import annotations

import io
import os
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import (
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    PdfObject,
    TextStringObject,
)

from accounts.models import Body, User


def pdf_bytes(pages: int = 1, text: str = "Hello") -> bytes:
    """A small valid PDF whose pages show *text* in Helvetica (ASCII only)."""
    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    for index in range(pages):
        page = writer.add_blank_page(width=595, height=842)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        content = DecodedStreamObject()
        content.set_data(f"BT /F1 18 Tf 72 720 Td ({text} {index + 1}) Tj ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(content)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


@dataclass
class World:
    """Two departments, with members at each clearance level and an outsider."""

    stttt: Body
    sonv: Body
    clerk: User  # văn thư of STTTT, cleared for "mật"
    member: User  # member of STTTT, not cleared
    top: User  # member of STTTT cleared for "tối mật"
    outsider: User  # official of Sở Nội vụ


def encrypted_pdf_bytes() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes()))
    writer.encrypt(user_password="bi-mat", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx_bytes(text: str) -> bytes:
    """The smallest DOCX Word and LibreOffice open: content types, package rels, one paragraph."""
    return docx_from_body(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")


def docx_from_body(body: str, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A DOCX whose ``w:body`` is *body* (WordprocessingML), with *extra* ZIP members."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/>'
        "</Relationships>"
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def long_docx_bytes(paragraphs: int, *, photo_bytes: int = 0) -> bytes:
    """A large but ordinary DOCX: *paragraphs* of varied Vietnamese words (about 7x packed),
    which LibreOffice takes long to lay out (30,000 paragraphs: tens of seconds), and an
    unreferenced, incompressible "photo" of *photo_bytes*."""
    import random

    words = [
        "Kế",
        "hoạch",
        "chuyển",
        "đổi",
        "số",
        "năm",
        "tỉnh",
        "Bắc",
        "Ninh",
        "ủy",
        "ban",
        "nhân",
        "dân",
        "báo",
        "cáo",
        "quyết",
        "định",
    ]
    rng = random.Random(12)
    body = "".join(
        f"<w:p><w:r><w:t>{' '.join(rng.choice(words) for _ in range(40))}</w:t></w:r></w:p>"
        for _ in range(paragraphs)
    )
    extra = {"word/media/image1.bin": rng.randbytes(photo_bytes)} if photo_bytes else {}
    return docx_from_body(body, extra=extra)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def pdf_changed(
    change: Callable[[PdfWriter], None], *, text: str = "Van ban den", pages: int = 1
) -> bytes:
    """``pdf_bytes(pages, text)`` after *change* edited its objects (actions, annotations...)."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes(pages, text=text)))
    change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_action(kind: str, **entries: object) -> DictionaryObject:
    """An action dictionary: ``pdf_action("JavaScript", JS="app.alert(1)")``."""
    action = DictionaryObject({NameObject("/S"): NameObject(f"/{kind}")})
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = (
            value if isinstance(value, PdfObject) else TextStringObject(value)
        )
    return action


def pdf_with_open_script(script: str) -> bytes:
    """A PDF whose /OpenAction runs *script* when a reader that runs JavaScript opens it."""

    def open_action(writer: PdfWriter) -> None:
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(
            pdf_action("JavaScript", JS=script)
        )

    return pdf_changed(open_action)


# --- Processes (the conversion's watchdog and its children) -----------------------------------


def processes_with(marker: str) -> list[int]:
    """Processes whose command line or environment mentions *marker* (a private directory)."""
    found = []
    needle = marker.encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            seen = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in seen:
            found.append(int(entry.name))
    return found


def gone(marker: str, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while processes_with(marker):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)  # polling the process table for an exit, not waiting for an outcome
    return True
