"""Fixtures for the documents tests: bodies, people, a private file store, PDF builders.

Nothing here is autouse: test modules that store files opt in with
``pytestmark = pytest.mark.usefixtures("doc_storage")``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import (
    DictionaryObject,
    NameObject,
    PdfObject,
    TextStringObject,
)

from accounts.models import Body, Clearance, User
from accounts.services import body_create, membership_set, user_create
from documents.models import Document
from tests.documents.helpers import pdf_bytes


@pytest.fixture
def doc_storage(settings, tmp_path: Path) -> Path:
    """Each test stores files in its own directory, so "nothing stored" can be checked."""
    root = tmp_path / "media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


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


def _person(username: str, full_name: str, body: Body, role: str, clearance: int) -> User:
    user = user_create(actor=None, username=username, full_name=full_name, password="x-Thu-123")
    user.clearance = clearance
    user.save(update_fields=["clearance"])
    membership_set(actor=None, user=user, body=body, role=role)
    return user


@pytest.fixture
def world(db) -> World:
    stttt = body_create(
        actor=None, code="stttt", name="Sở Thông tin và Truyền thông", symbol="STTTT"
    )
    sonv = body_create(actor=None, code="snv", name="Sở Nội vụ", symbol="SNV")
    return World(
        stttt=stttt,
        sonv=sonv,
        clerk=_person("vanthu", "Trần Thị Văn Thư", stttt, "clerk", Clearance.SECRET),
        member=_person("thanhvien", "Lê Văn Thành Viên", stttt, "member", Clearance.NORMAL),
        top=_person("lanhdao", "Phạm Minh Lãnh Đạo", stttt, "chair", Clearance.TOP_SECRET),
        outsider=_person("nguoingoai", "Hoàng Văn Ngoài", sonv, "member", Clearance.TOP_SECRET),
    )


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


@pytest.fixture
def make_document(world: World) -> Callable[..., Document]:
    """Register a document through the service, as the STTTT clerk unless told otherwise."""
    from documents.services import document_create

    def build(**overrides: Any) -> Document:
        fields: dict[str, Any] = {
            "actor": world.clerk,
            "owning_body": world.stttt,
            "doc_type": "to_trinh",
            "abstract": "Về việc triển khai họp không giấy",
            "number": "45",
            "symbol": "TTr-STTTT",
            "upload": upload("to-trinh.pdf", pdf_bytes()),
        }
        fields.update(overrides)
        return document_create(**fields)

    return build


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
