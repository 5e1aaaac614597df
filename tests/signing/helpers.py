"""Plain helpers and constants shared by the signing tests (fixtures are in conftest.py).

- the test PKI's description (:class:`TestPki`), its revoked signer, the in-process server
  that answers for it (:func:`pki_served`), the settings pointing at it
  (:func:`pki_settings_apply`) and pdfsig's verdicts on a file (:func:`pdfsig_verdicts_of`);
- test PDFs made on the fly (:func:`blank_pdf`) and a Decree 30 Tờ trình (:func:`to_trinh`);
- the province committee the request tests work in (:class:`Province`, built by the
  ``province`` fixture) and :func:`register`, which files a PDF as its document;
- certificates made with cryptography, each wrong in one way (:func:`make_cert`);
- pixels of a rendered page, to look at appearances (:func:`render_page`).
"""

from __future__ import annotations

import io
import re
import subprocess
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.safestring import mark_safe
from PIL import Image
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

from accounts.models import Body, User
from documents.models import DocumentVersion
from documents.rendering import AdministrativeDocument, Signer, render
from documents.services import document_create
from signing import devpki
from signing.backends.pkcs12 import Pkcs12KeyBackend
from signing.pades.appearances import Placement

# --- The test PKI ---------------------------------------------------------------------------

PASSPHRASE = "Mật-khẩu thử 2026"  # non-ASCII on purpose: PKCS#12 passphrases are UTF-8
# A signer whose certificate the CA has revoked: its OCSP responder and CRL say so.
REVOKED = "thu-hoi"
REVOKED_SINCE = "2025-07-01T08:30:00+0000"  # 15:30 in Vietnam
REVOKED_IDENTITY = devpki.DevIdentity(
    name=REVOKED,
    common_name="Ngô Văn Thu Hồi",
    organisation="Ủy ban nhân dân tỉnh Bắc Ninh",
    title="Phó Chủ tịch Ủy ban nhân dân tỉnh",
    kind="person",
    revoked_since=REVOKED_SINCE,
    revocation_reason="key_compromise",
)
# What the signer is told about the revoked signer, and when the CA cannot be reached.
REVOKED_TEXT = (
    "Chứng thư số đã bị thu hồi từ 15:30:00 ngày 01/07/2025 (giờ Việt Nam), "
    "lý do: khóa bí mật bị lộ."
)
UNKNOWN_TEXT = "Không xác định được chứng thư số còn hiệu lực hay đã bị thu hồi"


@dataclass(frozen=True)
class TestPki:
    __test__ = False  # a description, not a test class (its name starts with "Test")

    directory: Path
    base_url: str
    passphrase: str
    hits: Counter[str] = field(default_factory=Counter, compare=False)

    @property
    def layout(self) -> devpki.PkiLayout:
        return devpki.PkiLayout(self.directory)

    def backend(self) -> Pkcs12KeyBackend:
        return Pkcs12KeyBackend(self.layout.identities)


class LateApp:
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


@contextmanager
def pki_served(parent: Path) -> Iterator[TestPki]:
    """A fresh test PKI under *parent*, served on a free loopback port until the block ends.

    The certificates of a PKI name the URL its services answer at, so the server is started
    first, then the PKI is created for its port, and the running server is given its Animator.
    The socket listens from the moment the server is built: nothing waits or sleeps.
    """
    app = LateApp()
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    directory = parent / "pki"
    devpki.pki_create(
        directory=directory,
        base_url=base_url,
        passphrase=PASSPHRASE,
        identities=[*devpki.pki_identities(), REVOKED_IDENTITY],
    )
    app.target = devpki.animator(directory)
    thread = threading.Thread(target=server.serve_forever, name="test-pki", daemon=True)
    thread.start()
    try:
        yield TestPki(directory=directory, base_url=base_url, passphrase=PASSPHRASE, hits=app.hits)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def pki_settings_apply(settings: Any, pki: TestPki) -> TestPki:
    """Point the signing settings (pytest-django's ``settings``) at *pki* for one test."""
    settings.KYHOP_PKI_DIR = pki.directory
    settings.KYHOP_PKI_URL = pki.base_url
    settings.KYHOP_PKI_PASSPHRASE = pki.passphrase
    settings.KYHOP_SIGN_TSA_URL = devpki.service_urls(pki.base_url)["tsa"]
    settings.KYHOP_SIGN_TRUST_ROOTS = []
    settings.KYHOP_SIGN_TSA_TIMEOUT = 10
    settings.KYHOP_SIGN_FETCH_TIMEOUT = 10
    return pki


def pdfsig_verdicts_of(path: Path) -> list[str]:
    """pdfsig's verdict line per signature; pdfsig always exits 0, so its text is what counts."""
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False)
    verdicts: list[str] = []
    for line in (result.stdout + result.stderr).splitlines():
        if line.strip().startswith("- Signature Validation:"):
            verdicts.append(line.split(":", 1)[1].strip())
    return verdicts


# --- Test PDFs ------------------------------------------------------------------------------


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


def blank_pdf(*, pages: int = 1, sig_field: str | None = None) -> bytes:
    """An A4 PDF made on the fly (no binary fixtures), optionally with an empty signature field."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if sig_field:
        _empty_sig_field(writer, sig_field, (330, 80, 560, 150))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- The province the request tests work in -------------------------------------------------

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


# --- Certificates made here, each wrong in exactly one way ----------------------------------

NOW = datetime(2026, 6, 1, tzinfo=UTC)
_KEYS: dict[tuple[str, int], object] = {}


def certificate_key(kind: str = "rsa", size: int = 2048):
    # Key generation is the slow part; the same key serves every certificate of its kind.
    if (kind, size) not in _KEYS:
        _KEYS[kind, size] = (
            rsa.generate_private_key(public_exponent=65537, key_size=size)
            if kind == "rsa"
            else ec.generate_private_key({256: ec.SECP256R1(), 192: ec.SECP192R1()}[size])
        )
    return _KEYS[kind, size]


def make_cert(
    *,
    key=None,
    not_before: datetime = NOW - timedelta(days=365),
    not_after: datetime = NOW + timedelta(days=365),
    usage: dict[str, bool] | None = None,
    hash_algorithm: hashes.SHA256 | hashes.SHA384 | hashes.SHA512 | None = None,
) -> x509.Certificate:
    key = key or certificate_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Nguyễn Văn Thử")])
    flags = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    flags |= {"digital_signature": True, "content_commitment": True} if usage is None else usage
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )
    if usage != {}:
        builder = builder.add_extension(x509.KeyUsage(**flags), critical=True)
    return builder.sign(key, hash_algorithm or hashes.SHA256())


# --- Looking at a rendered page -------------------------------------------------------------


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


def count_pixels(
    image: Image.Image,
    box: tuple[float, float, float, float],
    test: Callable[[int, int, int], bool],
) -> int:
    """Pixels in *box* (PDF points, origin bottom-left) for which *test(r, g, b)* holds."""
    x1, y1, x2, y2 = box
    height = image.height
    crop = image.crop((int(x1), int(height - y2), int(x2), int(height - y1)))
    # The image is RGB (render_page converts it): one (r, g, b) tuple per pixel.
    pixels = cast(tuple[tuple[int, int, int], ...], crop.get_flattened_data())
    return sum(1 for pixel in pixels if test(*pixel))


def field_rect(data: bytes, name: str) -> tuple[float, float, float, float]:
    """The /Rect (PDF points, origin bottom-left) of the form field *name* — a signature or
    a text field — as its widget on the page has it."""
    from pypdf import PdfReader

    for page in PdfReader(io.BytesIO(data)).pages:
        for annotation in page.get("/Annots") or []:
            widget = annotation.get_object()
            title = widget.get("/T") or widget.get("/Parent", {}).get("/T")
            if title == name:
                return cast(
                    tuple[float, float, float, float], tuple(float(v) for v in widget["/Rect"])
                )
    raise LookupError(name)


def text_in_rect(data: bytes, rect: tuple[float, float, float, float], tmp_path: Path) -> str:
    """The page-1 text that pdftotext finds inside *rect* (PDF points, origin bottom-left)."""
    from pypdf import PdfReader

    height = float(PdfReader(io.BytesIO(data)).pages[0].mediabox.height)
    x1, y1, x2, y2 = rect
    source = tmp_path / "text-in-rect.pdf"
    source.write_bytes(data)
    crop = ["-x", str(int(x1)), "-y", str(int(height - y2)), "-W", str(int(x2 - x1) + 1)]
    crop += ["-H", str(int(y2 - y1) + 1), "-r", "72"]
    out = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", *crop, str(source), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return " ".join(out.stdout.split())


def words_on_page(
    data: bytes, tmp_path: Path, page: int = 1
) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Each word poppler finds on *page*, with its box in PDF points, origin bottom-left."""
    from html import unescape

    from pypdf import PdfReader

    height = float(PdfReader(io.BytesIO(data)).pages[page - 1].mediabox.height)
    source = tmp_path / "words.pdf"
    source.write_bytes(data)
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(source), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
    )
    return [
        (unescape(text), (float(x1), height - float(y2), float(x2), height - float(y1)))
        for x1, y1, x2, y2, text in pattern.findall(html)
    ]


def straddles(
    box: tuple[float, float, float, float], rect: tuple[float, float, float, float]
) -> bool:
    """Whether *box* lies partly inside *rect* and partly outside (1 pt of tolerance)."""
    bx1, by1, bx2, by2 = box
    rx1, ry1, rx2, ry2 = rect
    overlap = min(bx2, rx2) - max(bx1, rx1) > 1 and min(by2, ry2) - max(by1, ry1) > 1
    inside = bx1 >= rx1 - 1 and bx2 <= rx2 + 1 and by1 >= ry1 - 1 and by2 <= ry2 + 1
    return overlap and not inside


def is_blue(r: int, g: int, b: int) -> bool:
    return b > 150 and r < 110 and g < 130


def is_red(r: int, g: int, b: int) -> bool:
    return r > 150 and g < 110 and b < 110
