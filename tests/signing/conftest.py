"""Signing fixtures: a real test PKI served in-process, and test PDFs made on the fly.

The certificates of a PKI name the URL its services answer at, so the test PKI cannot reuse
the development one (fixed port 9100, perhaps already served by ``make run``). Instead the
server is started first on a free loopback port, then a fresh PKI is created for that port in
a temporary directory, and the running server is given its Animator. The socket is listening
from the moment the server is built, so nothing waits or sleeps. pyHanko ≥ 0.37 fetches over
aiohttp, which is why this is a real HTTP server and not a mocked ``requests``.
"""

from __future__ import annotations

import io
import socket
import subprocess
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from werkzeug.serving import BaseWSGIServer, make_server

from signing import pki
from signing.certcheck import certificate_status_cache_clear
from signing.keys import Pkcs12KeyBackend

PASSPHRASE = "Mật-khẩu thử 2026"  # non-ASCII on purpose: PKCS#12 passphrases are UTF-8
# A signer whose certificate the CA has revoked: its OCSP responder and CRL say so.
REVOKED = "thu-hoi"
REVOKED_SINCE = "2025-07-01T08:30:00+0000"  # 15:30 in Vietnam
REVOKED_IDENTITY = pki.DevIdentity(
    name=REVOKED,
    common_name="Ngô Văn Thu Hồi",
    organisation="Ủy ban nhân dân tỉnh Bắc Ninh",
    title="Phó Chủ tịch Ủy ban nhân dân tỉnh",
    kind="person",
    revoked_since=REVOKED_SINCE,
    revocation_reason="key_compromise",
)


@pytest.fixture(autouse=True)
def _fresh_certificate_statuses():
    """The CA's answers are cached per process; each test asks afresh (some stop the CA)."""
    certificate_status_cache_clear()
    yield
    certificate_status_cache_clear()


class _LateApp:
    """A WSGI app whose real target is set once the PKI exists (it needs the server's port).
    It counts the requests per service ("ocsp", "crls", "tsa", "certs"), whoever sends them
    (this process or a worker process), so tests can tell how often the CA was asked."""

    target: Callable[..., Any] | None = None

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert self.target is not None, "PKI chưa được tạo"
        parts = environ.get("PATH_INFO", "").strip("/").split("/")
        if len(parts) > 1:
            self.hits[parts[1]] += 1
        return self.target(environ, start_response)


@dataclass(frozen=True)
class TestPki:
    directory: Path
    base_url: str
    passphrase: str
    hits: Counter[str] = field(default_factory=Counter, compare=False)

    @property
    def layout(self) -> pki.PkiLayout:
        return pki.PkiLayout(self.directory)

    def backend(self) -> Pkcs12KeyBackend:
        return Pkcs12KeyBackend(self.layout.identities)


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    app = _LateApp()
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    directory = tmp_path_factory.mktemp("pki") / "pki"
    pki.pki_create(
        directory=directory,
        base_url=base_url,
        passphrase=PASSPHRASE,
        identities=[*pki.demo_identities(), REVOKED_IDENTITY],
    )
    app.target = pki.animator(directory)
    thread = threading.Thread(target=server.serve_forever, name="test-pki", daemon=True)
    thread.start()
    try:
        yield TestPki(directory=directory, base_url=base_url, passphrase=PASSPHRASE, hits=app.hits)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def unreachable_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    """A PKI whose OCSP responder and CRLs cannot be reached: its certificates name a loopback
    port that is bound but never listens, so every connection is refused at once (no timeout
    to wait for). Only the chair's identity is made; its chain is in the PKCS#12."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))  # held, so no other process takes the port meanwhile
    base_url = f"http://127.0.0.1:{holder.getsockname()[1]}"
    directory = tmp_path_factory.mktemp("pki-down") / "pki"
    chair = next(i for i in pki.demo_identities() if i.name == "chutich")
    pki.pki_create(
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
    settings.KYHOP_PKI_DIR = test_pki.directory
    settings.KYHOP_PKI_URL = test_pki.base_url
    settings.KYHOP_PKI_PASSPHRASE = test_pki.passphrase
    settings.KYHOP_SIGN_TSA_URL = pki.service_urls(test_pki.base_url)["tsa"]
    settings.KYHOP_SIGN_TRUST_ROOTS = []
    settings.KYHOP_SIGN_TSA_TIMEOUT = 10
    settings.KYHOP_SIGN_FETCH_TIMEOUT = 10
    return test_pki


def _empty_sig_field(writer: PdfWriter, name: str, rect: tuple[int, int, int, int]) -> None:
    page = writer.pages[0]
    field = DictionaryObject(
        {
            NameObject("/FT"): NameObject("/Sig"),
            NameObject("/T"): TextStringObject(name),
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/F"): NumberObject(4),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in rect]),
            NameObject("/P"): page.indirect_reference,
        }
    )
    ref = writer._add_object(field)
    page[NameObject("/Annots")] = ArrayObject([ref])
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([ref]), NameObject("/SigFlags"): NumberObject(3)}
    )


def _make_pdf(*, pages: int = 1, sig_field: str | None = None) -> bytes:
    """An A4 PDF made on the fly (no binary fixtures), optionally with an empty signature field."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if sig_field:
        _empty_sig_field(writer, sig_field, (330, 80, 560, 150))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def make_pdf() -> Callable[..., bytes]:
    return _make_pdf


@pytest.fixture
def pdf_bytes() -> bytes:
    return _make_pdf()


def _pdfsig_verdicts(path: Path) -> list[str]:
    """pdfsig's verdict line per signature; pdfsig always exits 0, so its text is what counts."""
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False)
    verdicts: list[str] = []
    for line in (result.stdout + result.stderr).splitlines():
        if line.strip().startswith("- Signature Validation:"):
            verdicts.append(line.split(":", 1)[1].strip())
    return verdicts


@pytest.fixture
def pdfsig_verdicts() -> Callable[[Path], list[str]]:
    return _pdfsig_verdicts
