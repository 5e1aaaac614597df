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
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
from signing.keys import Pkcs12KeyBackend

PASSPHRASE = "Mật-khẩu thử 2026"  # non-ASCII on purpose: PKCS#12 passphrases are UTF-8


class _LateApp:
    """A WSGI app whose real target is set once the PKI exists (it needs the server's port)."""

    target: Callable[..., Any] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert self.target is not None, "PKI chưa được tạo"
        return self.target(environ, start_response)


@dataclass(frozen=True)
class TestPki:
    directory: Path
    base_url: str
    passphrase: str

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
    pki.pki_create(directory=directory, base_url=base_url, passphrase=PASSPHRASE)
    app.target = pki.animator(directory)
    thread = threading.Thread(target=server.serve_forever, name="test-pki", daemon=True)
    thread.start()
    try:
        yield TestPki(directory=directory, base_url=base_url, passphrase=PASSPHRASE)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


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
