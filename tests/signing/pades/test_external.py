"""External signing: the server prepares, a key it cannot reach signs, the server finishes.

The "USB token agent" is played by cryptography with the identity's key, outside pyHanko; the
"signature made elsewhere" is a detached CMS built by cryptography's PKCS#7 builder.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID
from django.core.exceptions import ValidationError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from signing import devpki
from signing.pades.external import (
    PreparedSignature,
    external_embed_cms,
    external_finish,
    external_prepare,
)
from signing.pades.sign import PadesLevel

pytestmark = pytest.mark.usefixtures("pki_settings")


def _cert(test_pki, label: str) -> asn1_x509.Certificate:
    return devpki.read_certificate(test_pki.directory, label)


def _key(test_pki, label: str):
    data = (test_pki.layout.keys / f"{label}.key.pem").read_bytes()
    return serialization.load_pem_private_key(data, password=None)


async def _prepare(test_pki, pdf: bytes, level=PadesLevel.B_B, who="chutich"):
    return await external_prepare(
        data=pdf, certificate=_cert(test_pki, who), chain=(_cert(test_pki, "interm"),), level=level
    )


def _agent_sign(test_pki, prepared: PreparedSignature, who="chutich") -> bytes:
    """A token agent signs the *hash* it was sent (PKCS#1 v1.5, SHA-256), as real agents do."""
    return _key(test_pki, who).sign(
        prepared.to_be_signed_digest, padding.PKCS1v15(), Prehashed(hashes.SHA256())
    )


async def _status(data: bytes, test_pki):
    context = ValidationContext(
        trust_roots=devpki.trust_roots(test_pki.directory),
        allow_fetching=True,
        revocation_mode="hard-fail",
    )
    try:
        reader = PdfFileReader(io.BytesIO(data))
        return await async_validate_pdf_signature(reader.embedded_signatures[0], context)
    finally:
        await context.aclose()


async def test_a_value_signed_outside_pyhanko_finishes_into_a_valid_b_b_signature(
    test_pki, pdf_bytes
):
    prepared = await _prepare(test_pki, pdf_bytes)
    signed = await external_finish(
        prepared=prepared, signature_value=_agent_sign(test_pki, prepared)
    )
    assert signed.startswith(pdf_bytes)  # an incremental update
    status = await _status(signed, test_pki)
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.subject.native["common_name"] == "Nguyễn Văn Hùng"


async def test_the_prepared_state_survives_storage_and_finishes_at_b_t(test_pki, pdf_bytes):
    prepared = await _prepare(test_pki, pdf_bytes, level=PadesLevel.B_T)
    stored = json.dumps(prepared.state())  # what a database row would keep, beside the file
    restored = PreparedSignature.restore(json.loads(stored), prepared.document)
    signed = await external_finish(
        prepared=restored, signature_value=_agent_sign(test_pki, prepared)
    )
    status = await _status(signed, test_pki)
    assert status.intact and status.valid and status.trusted
    assert status.timestamp_validity is not None and status.timestamp_validity.valid


async def test_a_signature_by_another_key_is_refused_in_vietnamese(test_pki, pdf_bytes):
    prepared = await _prepare(test_pki, pdf_bytes)
    wrong = _agent_sign(test_pki, prepared, who="interm")  # someone else's key
    with pytest.raises(ValidationError) as caught:
        await external_finish(prepared=prepared, signature_value=wrong)
    assert caught.value.code == "signature_mismatch"
    assert "không khớp" in caught.value.messages[0]


async def test_a_signature_over_other_attributes_is_refused(test_pki, pdf_bytes, make_pdf):
    prepared = await _prepare(test_pki, pdf_bytes)
    other = await _prepare(test_pki, make_pdf(pages=2))
    with pytest.raises(ValidationError) as caught:
        await external_finish(prepared=prepared, signature_value=_agent_sign(test_pki, other))
    assert caught.value.code == "signature_mismatch"


async def test_a_changed_stored_document_is_refused(test_pki, pdf_bytes):
    prepared = await _prepare(test_pki, pdf_bytes)
    tampered = bytearray(prepared.document)
    tampered[20] ^= 0x01
    with pytest.raises(ValidationError) as caught:
        PreparedSignature.restore(prepared.state(), bytes(tampered))
    assert caught.value.code == "document_changed"


def _weak_certificate() -> asn1_x509.Certificate:
    """A self-issued RSA-1024 certificate: Circular 15/2025 wants at least 2048 bits."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - weak on purpose
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Khóa yếu")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), True
        )
        .sign(key, hashes.SHA256())
    )
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


async def test_an_unfit_certificate_is_refused_before_anything_is_prepared(pdf_bytes):
    with pytest.raises(ValidationError) as caught:
        await external_prepare(data=pdf_bytes, certificate=_weak_certificate(), level="B-B")
    assert "2048" in " ".join(caught.value.messages)


# --- Upload of a .p7s made elsewhere -----------------------------------------------------


def _signed_ranges(prepared: PreparedSignature) -> bytes:
    doc = prepared.document
    return doc[: prepared.reserved_start] + doc[prepared.reserved_end :]


def _p7s(test_pki, content: bytes, who="chutich", encoding=serialization.Encoding.DER) -> bytes:
    cert = x509.load_pem_x509_certificate((test_pki.layout.certs / f"{who}.cert.pem").read_bytes())
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(cert, _key(test_pki, who), hashes.SHA256())
        .sign(encoding, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])
    )


async def test_an_uploaded_detached_cms_over_the_prepared_document_is_embedded(test_pki, pdf_bytes):
    prepared = await _prepare(test_pki, pdf_bytes)
    signed = await external_embed_cms(
        prepared=prepared, cms_data=_p7s(test_pki, _signed_ranges(prepared))
    )
    status = await _status(signed, test_pki)
    assert status.intact and status.valid and status.trusted


async def test_an_uploaded_pem_cms_at_b_t_gets_a_signature_time_stamp(test_pki, pdf_bytes):
    prepared = await _prepare(test_pki, pdf_bytes, level=PadesLevel.B_T)
    p7s = _p7s(test_pki, _signed_ranges(prepared), encoding=serialization.Encoding.PEM)
    signed = await external_embed_cms(prepared=prepared, cms_data=p7s)
    status = await _status(signed, test_pki)
    assert status.intact and status.valid and status.trusted
    assert status.timestamp_validity is not None and status.timestamp_validity.valid


async def test_an_uploaded_cms_over_another_document_is_refused(test_pki, pdf_bytes):
    prepared = await _prepare(test_pki, pdf_bytes)
    with pytest.raises(ValidationError) as caught:
        await external_embed_cms(prepared=prepared, cms_data=_p7s(test_pki, b"%PDF other"))
    assert caught.value.code == "signature_mismatch"
    assert "không khớp" in caught.value.messages[0]


async def test_an_uploaded_cms_by_another_certificate_is_refused(test_pki, pdf_bytes):
    prepared = await _prepare(test_pki, pdf_bytes)
    p7s = _p7s(test_pki, _signed_ranges(prepared), who="vanthu")
    with pytest.raises(ValidationError) as caught:
        await external_embed_cms(prepared=prepared, cms_data=p7s)
    assert caught.value.code == "other_certificate"


async def test_garbage_instead_of_a_p7s_is_refused_in_vietnamese(test_pki, pdf_bytes):
    prepared = await _prepare(test_pki, pdf_bytes)
    with pytest.raises(ValidationError) as caught:
        await external_embed_cms(prepared=prepared, cms_data=b"not a signature")
    assert caught.value.code == "unreadable_cms"
    assert "không đọc được" in caught.value.messages[0]


async def test_b_lt_is_not_offered_for_external_signing(test_pki, pdf_bytes):
    with pytest.raises(ValidationError) as caught:
        await _prepare(test_pki, pdf_bytes, level=PadesLevel.B_LT)
    assert caught.value.code == "unsupported_level"
