"""Shared builders for the signing-request tests (no tests here): a province committee with a
clerk, a chair and two drafters, their identities imported from the in-process test PKI, and a
Tờ trình rendered by the Decree 30 renderer with a named signer field."""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.safestring import mark_safe
from PIL import Image

from accounts.models import Body, User
from accounts.services import body_create, membership_set, user_create
from documents.models import DocumentVersion
from documents.rendering import AdministrativeDocument, Signer, render
from documents.services import document_create
from signing import appearances
from signing.appearances import Placement
from signing.identities import identity_import_pkcs12
from signing.services import AssigneeSpec, StepSpec  # noqa: F401 - re-exported for tests

PASSWORD = "mat-khau-thu-1"


@dataclass
class Province:
    ubnd: Body
    clerk: User  # vanthu: routes, numbers, seals
    chair: User  # chutich: the competent person
    drafter1: User  # daibieu1: initials
    drafter2: User  # daibieu2: initials
    deputy: User  # lanhdao: a delegate
    outsider: User


def _person(username: str, full_name: str, body: Body | None, role: str) -> User:
    user = user_create(
        actor=None,
        username=username,
        full_name=full_name,
        password=PASSWORD,
        email=f"{username}@kyhop.test",
    )
    if body is not None:
        membership_set(actor=None, user=user, body=body, role=role)
    return user


def _identity(test_pki, name: str, **owner) -> None:
    data = test_pki.layout.identity_file(name).read_bytes()
    if "owner_body" in owner:
        image = appearances.seal_png(owner["owner_body"].name)
    else:
        image = appearances.signature_scribble_png(owner["owner_user"].full_name)
    identity_import_pkcs12(
        actor=None,
        name=name,
        pkcs12_bytes=data,
        passphrase=test_pki.passphrase,
        signature_image=image,
        **owner,
    )


@pytest.fixture
def signing_storage(settings, tmp_path: Path) -> Path:
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


@pytest.fixture
def province(pki_settings, signing_storage) -> Province:
    ubnd = body_create(
        actor=None, code="ubnd-tinh", name="Ủy ban nhân dân tỉnh Bắc Ninh", symbol="UBND"
    )
    Body.objects.filter(pk=ubnd.pk).update(place_name="Bắc Ninh")
    ubnd.refresh_from_db()
    world = Province(
        ubnd=ubnd,
        clerk=_person("vanthu", "Trần Thị Thu Hà", ubnd, "clerk"),
        chair=_person("chutich", "Nguyễn Văn Hùng", ubnd, "chair"),
        drafter1=_person("daibieu1", "Lê Minh Đức", ubnd, "member"),
        drafter2=_person("daibieu2", "Phạm Thị Ngọc Ánh", ubnd, "member"),
        deputy=_person("lanhdao", "Đỗ Quang Vinh", ubnd, "vice_chair"),
        outsider=_person("nguoingoai", "Hoàng Văn Ngoài", None, "member"),
    )
    for user in (world.chair, world.drafter1, world.drafter2, world.deputy):
        _identity(pki_settings, user.username, owner_user=user)
    _identity(pki_settings, "ubnd-tinh", owner_body=ubnd)
    return world


def to_trinh() -> tuple[bytes, Placement]:
    """A draft Tờ trình (no number, no date yet) and the chair's signature area."""
    doc = AdministrativeDocument(
        parent_body="",
        issuing_body="Ủy ban nhân dân tỉnh Bắc Ninh",
        number_symbol="/TTr-UBND",
        date=None,
        place_name="Bắc Ninh",
        document_type="Tờ trình",
        abstract="Về việc phê duyệt Kế hoạch chuyển đổi số năm 2026",
        addressees=("Hội đồng nhân dân tỉnh Bắc Ninh",),
        body_html=mark_safe(
            "<p>Ủy ban nhân dân tỉnh kính trình Hội đồng nhân dân tỉnh xem xét, quyết định.</p>"
        ),
        signers=(
            Signer(
                authority=("TM. Ủy ban nhân dân",),
                position="Chủ tịch",
                full_name="Nguyễn Văn Hùng",
                field_id="chu-tich",
            ),
        ),
        recipients=("Như trên;", "Lưu: VT."),
    )
    rendered = render(doc)
    rect = rendered.signature_rects["chu-tich"]
    area = Placement.from_rect(rect.page_index, (rect.x1, rect.y1, rect.x2, rect.y2))
    return rendered.pdf, area


def register(world: Province, pdf: bytes) -> DocumentVersion:
    document = document_create(
        actor=world.clerk,
        owning_body=world.ubnd,
        doc_type="to_trinh",
        abstract="Về việc phê duyệt Kế hoạch chuyển đổi số năm 2026",
        symbol="TTr-UBND",
        upload=SimpleUploadedFile("to-trinh.pdf", pdf, content_type="application/pdf"),
    )
    return document.versions.get()


def render_page(data: bytes, tmp_path: Path, *, page: int = 1, dpi: int = 72) -> Image.Image:
    """The page as pixels; at 72 dpi one pixel is one PDF point (origin top-left)."""
    source = tmp_path / "render.pdf"
    source.write_bytes(data)
    prefix = tmp_path / f"page-{page}"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(source),
            str(prefix),
        ],
        check=True,
    )
    return Image.open(io.BytesIO(prefix.with_suffix(".png").read_bytes())).convert("RGB")


def count_pixels(image: Image.Image, box: tuple[float, float, float, float], test) -> int:
    """Pixels in *box* (PDF points, origin bottom-left) for which *test(r, g, b)* holds."""
    x1, y1, x2, y2 = box
    height = image.height
    crop = image.crop((int(x1), int(height - y2), int(x2), int(height - y1)))
    return sum(1 for pixel in crop.get_flattened_data() if test(*pixel))


def is_blue(r: int, g: int, b: int) -> bool:
    return b > 150 and r < 110 and g < 130


def is_red(r: int, g: int, b: int) -> bool:
    return r > 150 and g < 110 and b < 110
