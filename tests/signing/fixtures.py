"""Signing fixtures, loaded for the whole suite by tests/conftest.py: a real test PKI served
in-process, test PDFs made on the fly, and the province committee the request tests, the
minutes' signing and the trình ký journeys work in (plain helpers are in ``helpers.py``).

The certificates of a PKI name the URL its services answer at, so the test PKI cannot reuse
the development one (fixed port 9100, perhaps already served by ``make run``): ``test_pki``
serves a fresh one on a free loopback port (``helpers.pki_served``), once per session. pyHanko
≥ 0.37 fetches over aiohttp, which is why this is a real HTTP server and not a mocked
``requests``.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from accounts.models import Body, User
from accounts.services import body_create, membership_set, user_create
from signing import devpki
from signing.backends.identities import identity_import_pkcs12
from signing.pades import appearances
from tests.signing.helpers import (
    PASSPHRASE,
    PASSWORD,
    Province,
    TestPki,
    blank_pdf,
    pdfsig_verdicts_of,
    pki_served,
    pki_settings_apply,
)


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    with pki_served(tmp_path_factory.mktemp("pki")) as pki:
        yield pki


@pytest.fixture(scope="session")
def unreachable_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    """A PKI whose OCSP responder and CRLs cannot be reached: its certificates name a loopback
    port that is bound but never listens, so every connection is refused at once (no timeout
    to wait for). Only the chair's identity is made; its chain is in the PKCS#12."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))  # held, so no other process takes the port meanwhile
    base_url = f"http://127.0.0.1:{holder.getsockname()[1]}"
    directory = tmp_path_factory.mktemp("pki-down") / "pki"
    chair = next(i for i in devpki.demo_identities() if i.name == "chutich")
    devpki.pki_create(
        directory=directory, base_url=base_url, passphrase=PASSPHRASE, identities=[chair]
    )
    try:
        yield TestPki(directory=directory, base_url=base_url, passphrase=PASSPHRASE)
    finally:
        holder.close()


@pytest.fixture
def unreachable_pki_settings(settings, pki_settings: TestPki, unreachable_pki: TestPki) -> TestPki:
    """The test PKI's TSA and both PKIs' roots trusted, so that the unreachable PKI's
    certificates chain to a trusted root and only their revocation status is missing."""
    roots = []
    for which in (pki_settings, unreachable_pki):
        roots.append(which.layout.certs / "root.cert.pem")
    settings.KYHOP_SIGN_TRUST_ROOTS = roots
    return unreachable_pki


@pytest.fixture
def pki_settings(settings, test_pki: TestPki) -> TestPki:
    """Point the signing settings at the test PKI for one test."""
    return pki_settings_apply(settings, test_pki)


@pytest.fixture
def make_pdf() -> Callable[..., bytes]:
    return blank_pdf


@pytest.fixture
def pdf_bytes() -> bytes:
    return blank_pdf()


@pytest.fixture
def pdfsig_verdicts() -> Callable[[Path], list[str]]:
    return pdfsig_verdicts_of


# --- The province committee of the request tests --------------------------------------------


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


def _identity(test_pki: TestPki, name: str, **owner) -> None:
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
def province(pki_settings: TestPki, doc_storage: Path) -> Province:
    """A province committee with a clerk, a chair, two drafters and a deputy, their identities
    imported from the in-process test PKI, and an outsider."""
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
