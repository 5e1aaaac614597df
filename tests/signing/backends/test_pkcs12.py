"""The PKCS#12 key backend: passphrases, caching, and refusing unfit certificates before signing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID
from django.core.exceptions import ValidationError

from signing.backends.pkcs12 import Pkcs12KeyBackend, signer_from_pkcs12
from signing.pades.keys import ParsedKeySigner
from signing.pades.sign import PadesLevel, sign_pdf_bytes


def _p12(*, bits: int = 2048, not_after: datetime | None = None, passphrase: str) -> bytes:
    """A self-signed identity wrong in the way asked: the check runs before any chain matters."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    now = datetime.now(UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Trần Văn Hết Hạn")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=800))
        .not_valid_after(not_after or now + timedelta(days=365))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    encryption = BestAvailableEncryption(passphrase.encode())
    return pkcs12.serialize_key_and_certificates(None, key, cert, None, encryption)


def test_right_passphrase_gives_a_signer_with_the_certificate(test_pki):
    signer = test_pki.backend().signer(identity="chutich", passphrase=test_pki.passphrase)

    assert isinstance(signer, ParsedKeySigner)
    assert signer.signing_cert.subject.native["common_name"] == "Nguyễn Văn Hùng"


def test_wrong_passphrase_is_a_clear_vietnamese_error(test_pki):
    with pytest.raises(ValidationError) as caught:
        test_pki.backend().signer(identity="chutich", passphrase="sai-mat-khau")

    [message] = caught.value.messages
    assert message.startswith("Mật khẩu (mã PIN) của khóa ký “chutich” không đúng")
    assert "sai-mat-khau" not in message


def test_a_parsed_signer_is_reused_and_a_wrong_passphrase_never_hits_the_cache(test_pki):
    backend = test_pki.backend()
    first = backend.signer(identity="lanhdao", passphrase=test_pki.passphrase)

    assert backend.signer(identity="lanhdao", passphrase=test_pki.passphrase) is first
    with pytest.raises(ValidationError):
        backend.signer(identity="lanhdao", passphrase=test_pki.passphrase + "x")


def test_identity_names_cannot_leave_the_key_directory(test_pki):
    with pytest.raises(ValidationError, match="không hợp lệ"):
        test_pki.backend().signer(identity="../pki/keys/root", passphrase="x")
    with pytest.raises(ValidationError, match="Không tìm thấy khóa ký"):
        Pkcs12KeyBackend(test_pki.layout.identities).signer(identity="khong-co", passphrase="x")


def test_expired_certificate_is_refused_before_signing(pdf_bytes):
    data = _p12(not_after=datetime.now(UTC) - timedelta(days=2), passphrase="1234")
    signer = signer_from_pkcs12(data=data, passphrase="1234", identity="het-han")

    with pytest.raises(ValidationError, match="đã hết hạn"):
        sign_pdf_bytes(data=pdf_bytes, signer=signer, level=PadesLevel.B_B)


def test_weak_key_is_refused_before_signing(pdf_bytes):
    signer = signer_from_pkcs12(
        data=_p12(bits=1024, passphrase="1234"), passphrase="1234", identity="khoa-yeu"
    )

    with pytest.raises(ValidationError, match="Khóa RSA 1024 bit quá ngắn"):
        sign_pdf_bytes(data=pdf_bytes, signer=signer, level=PadesLevel.B_LTA)
