"""Fixtures of the documents tests, which other suites use too: bodies, people, a private file
store, a document maker. tests/conftest.py imports them, so pytest finds them everywhere.

Nothing here is autouse: test modules that store files opt in with
``pytestmark = pytest.mark.usefixtures("doc_storage")``. The plain builders (PDFs, DOCX,
uploads) are in helpers.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from accounts.models import Body, Clearance, User
from accounts.services import body_create, membership_set, user_create
from documents.models import Document
from tests.documents.helpers import World, pdf_bytes, upload


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
