"""Foreign files: signatures made by other tools, and irregular PDFs.

Each file is made here, with the test PKI: poppler's ``pdfsig -add-signature`` signing from an
NSS database built in the test, endesive (a second PDF-signing library), and pyHanko signing
irregular files (a broken startxref, hybrid references) it read leniently. None of them embeds
revocation data, so without online fetching the verdict is "indeterminate" for exactly that
reason; with fetching allowed (the test PKI serves OCSP and CRLs on loopback) it is "passed".
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import types
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter

from signing.validation.report import CheckStatus, Outcome, Report
from signing.validation.runner import validate_pdf
from tests.signing.helpers import TestPki
from tests.signing.helpers import blank_pdf as _make_pdf
from tests.signing.validation.foreign import hybrid_update
from tests.signing.validation.helpers import first_identity

pytestmark = pytest.mark.django_db

NSS_P12_PASSWORD = "nss-test"  # ASCII: pk12util's handling of non-ASCII passwords varies
NICK = "ky-thu"


def _identity(test_pki: TestPki):
    data = test_pki.layout.identity_file(first_identity(test_pki)).read_bytes()
    return pkcs12.load_key_and_certificates(data, test_pki.passphrase.encode())


def _common_name(test_pki: TestPki) -> str:
    _key, cert, _chain = _identity(test_pki)
    return cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value


def _only_revocation_missing(report: Report) -> None:
    """Intact, chained to the dev root; the one open question is revocation."""
    assert report.outcome is Outcome.INDETERMINATE, report.reasons
    (sig,) = report.signatures
    statuses = {c.code: c.status for c in sig.checks}
    assert statuses["integrity"] is CheckStatus.PASSED
    assert statuses["coverage"] is CheckStatus.PASSED
    assert statuses["changes"] is CheckStatus.PASSED
    assert statuses["chain"] is CheckStatus.PASSED
    assert "KyHop Root CA" in sig.trust_root
    undecided = [c.code for c in sig.checks if c.status in ("indeterminate", "failed")]
    assert undecided == ["revocation"]
    assert sig.revocation is not None
    assert sig.revocation.status == "unknown"


def _passes_with_fetching(data: bytes, settings) -> Report:
    settings.KYHOP_VALIDATION_FETCH = True
    report = validate_pdf(data)
    assert report.outcome is Outcome.PASSED, report.reasons
    revocation = report.signatures[0].revocation
    assert revocation is not None
    assert revocation.source == "fetched"
    return report


# --- poppler pdfsig (NSS) -------------------------------------------------------------------


def _nss_database(directory: Path, test_pki: TestPki) -> str:
    """An NSS database holding the demo signer's key and trusting the dev root."""
    key, cert, chain = _identity(test_pki)
    p12 = directory / "signer.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            NICK.encode(), key, cert, chain, BestAvailableEncryption(NSS_P12_PASSWORD.encode())
        )
    )
    db = f"sql:{directory}"
    root = test_pki.layout.certs / "root.cert.pem"
    for command in (
        ["certutil", "-N", "-d", db, "--empty-password"],
        ["pk12util", "-i", str(p12), "-d", db, "-W", NSS_P12_PASSWORD, "-K", ""],
        ["certutil", "-A", "-n", "kyhop-dev-root", "-t", "CT,C,C", "-i", str(root), "-d", db],
    ):
        subprocess.run(command, check=True, capture_output=True)
    return db


@pytest.fixture
def pdfsig_signed(tmp_path: Path, test_pki: TestPki) -> bytes:
    db = _nss_database(tmp_path, test_pki)
    source, target = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(_make_pdf())
    # pdfsig exits 0 whatever happens: the output file is the proof that it signed.
    subprocess.run(
        ["pdfsig", "-nssdir", db, "-add-signature", "-nick", NICK, str(source), str(target)],
        check=True,
        capture_output=True,
    )
    return target.read_bytes()


def test_pdfsig_signature_is_intact_and_chained_to_the_dev_root(
    validation_settings, settings, test_pki, pdfsig_signed
):
    report = validate_pdf(pdfsig_signed, file_name="pdfsig.pdf")
    _only_revocation_missing(report)
    sig = report.signatures[0]
    assert sig.pades_level == "CMS"  # pdfsig -add-signature writes adbe.pkcs7.detached
    assert sig.signer.common_name == _common_name(test_pki)
    # poppler writes objects with orphaned generations: read leniently, and said so.
    assert report.lenient_parsing
    assert any("chế độ dễ dãi" in note for note in report.notes)
    _passes_with_fetching(pdfsig_signed, settings)


# --- endesive ---------------------------------------------------------------------------------


@pytest.fixture
def endesive_cms(monkeypatch):
    """endesive's PDF signer, with two shims for its dependencies (not for what it signs).

    - ``endesive.pdf`` imports its verifier on import, which needs oscrypto; oscrypto 1.3
      cannot parse OpenSSL 3.0.1x's version string and fails. Only the signer is used here.
    - endesive 3.0.1 still passes pypdf's removed ``encryption_key`` argument when writing the
      trailer (pypdf ≥ 6).
    """
    from pypdf import generic as pypdf_generic

    if "endesive.pdf" not in sys.modules:
        verifier = types.ModuleType("endesive.pdf.verify")
        verifier.PDFVerifier = verifier.verify = None
        monkeypatch.setitem(sys.modules, "endesive.pdf.verify", verifier)
    from endesive.pdf import cms

    for cls in (pypdf_generic.DictionaryObject, pypdf_generic.StreamObject):
        original = cls.write_to_stream

        def write_to_stream(self, stream, encryption_key=None, _original=original):
            return _original(self, stream)

        monkeypatch.setattr(cls, "write_to_stream", write_to_stream)
    return cms


@pytest.fixture
def endesive_signed(test_pki: TestPki, endesive_cms) -> bytes:
    key, cert, chain = _identity(test_pki)
    data = _make_pdf()
    now = datetime.now(UTC).strftime("D:%Y%m%d%H%M%S+00'00'")
    options = {
        "sigflags": 3,
        "sigfield": "ChuKyEndesive",
        "contact": "",
        "location": "Bắc Ninh",
        "signingdate": now,
        "reason": "Thử chữ ký từ thư viện khác",
        "pss": True,
    }
    return data + endesive_cms.sign(data, options, key, cert, chain, "sha256")


def test_endesive_signature_is_intact_and_chained_to_the_dev_root(
    validation_settings, settings, endesive_signed
):
    report = validate_pdf(endesive_signed, file_name="endesive.pdf")
    _only_revocation_missing(report)
    sig = report.signatures[0]
    assert sig.field_name == "ChuKyEndesive"
    assert sig.signature_algorithm == "rsassa_pss"
    assert not report.lenient_parsing
    _passes_with_fetching(endesive_signed, settings)


# --- Irregular but valid ----------------------------------------------------------------------


def _startxref_off_by(data: bytes, delta: int) -> bytes:
    """A classic mistake of hand-made PDFs: startxref points a few bytes off its xref table."""
    found = list(re.finditer(rb"startxref\s+(\d+)", data))[-1]
    wrong = str(int(found.group(1)) + delta).encode()
    return data[: found.start(1)] + wrong + data[found.end(1) :]


def test_irregular_pdf_is_read_leniently_and_the_report_says_so(
    validation_settings, settings, signer
):
    irregular = _startxref_off_by(_make_pdf(), -3)
    # Signed by pyHanko reading leniently, as a tool that tolerates the file would.
    writer = IncrementalPdfFileWriter(io.BytesIO(irregular), strict=False)
    meta = signers.PdfSignatureMetadata(field_name="ChuKy", subfilter=SigSeedSubFilter.PADES)
    output = io.BytesIO()
    signers.sign_pdf(writer, meta, signer=signer, output=output)
    report = _passes_with_fetching(output.getvalue(), settings)
    assert report.lenient_parsing
    assert any("chế độ dễ dãi" in note for note in report.notes)


def test_hybrid_reference_pdf_is_not_mistaken_for_a_broken_signature(
    validation_settings, settings, signer
):
    hybrid = hybrid_update(_make_pdf())
    assert PdfFileReader(io.BytesIO(hybrid)).xrefs.hybrid_xrefs_present
    writer = IncrementalPdfFileWriter(io.BytesIO(hybrid), strict=False)
    meta = signers.PdfSignatureMetadata(field_name="ChuKy", subfilter=SigSeedSubFilter.PADES)
    output = io.BytesIO()
    signers.sign_pdf(writer, meta, signer=signer, output=output)
    report = _passes_with_fetching(output.getvalue(), settings)
    assert report.lenient_parsing
