"""Certificate checks before signing (Circular 15/2025), each failure with its Vietnamese reason.

The bad certificates are made with cryptography (``helpers.make_cert``), each wrong in exactly
one way.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ValidationError

from signing import devpki
from signing.pades.certcheck import certificate_check, certificate_problems
from tests.signing.helpers import NOW, certificate_key, make_cert


def test_a_sound_certificate_passes():
    assert certificate_problems(certificate=make_cert(), at=NOW) == []
    certificate_check(certificate=make_cert(), at=NOW)


def test_the_development_pki_certificates_pass(test_pki):
    for name in ("chutich", "lanhdao", "ubnd-tinh", "hdnd-tinh"):
        cert = devpki.read_certificate(test_pki.directory, name)
        assert certificate_problems(certificate=cert) == []


def test_expired_certificate_is_refused():
    cert = make_cert(not_after=datetime(2026, 3, 15, tzinfo=UTC))
    assert certificate_problems(certificate=cert, at=NOW) == [
        "Chứng thư số đã hết hạn từ ngày 15/03/2026."
    ]


def test_not_yet_valid_certificate_is_refused():
    cert = make_cert(not_before=datetime(2026, 9, 2, tzinfo=UTC))
    assert certificate_problems(certificate=cert, at=NOW) == [
        "Chứng thư số chưa có hiệu lực (hiệu lực từ ngày 02/09/2026)."
    ]


def test_missing_key_usage_is_refused():
    [reason] = certificate_problems(certificate=make_cert(usage={}), at=NOW)
    assert "không khai báo mục đích sử dụng khóa" in reason


def test_encryption_only_key_usage_is_refused():
    cert = make_cert(usage={"key_encipherment": True})
    [reason] = certificate_problems(certificate=cert, at=NOW)
    assert "không được cấp cho mục đích ký số" in reason


def test_non_repudiation_alone_is_enough():
    cert = make_cert(usage={"content_commitment": True})
    assert certificate_problems(certificate=cert, at=NOW) == []


def test_short_rsa_key_is_refused():
    cert = make_cert(key=certificate_key("rsa", 1024))
    assert certificate_problems(certificate=cert, at=NOW) == [
        "Khóa RSA 1024 bit quá ngắn: cần tối thiểu 2048 bit."
    ]


def test_ecdsa_p256_passes_and_p192_is_refused():
    assert certificate_problems(certificate=make_cert(key=certificate_key("ec", 256)), at=NOW) == []
    cert = make_cert(key=certificate_key("ec", 192))
    assert certificate_problems(certificate=cert, at=NOW) == [
        "Khóa ECDSA 192 bit quá ngắn: cần tối thiểu 256 bit."
    ]


def _resign_with_sha1(cert: x509.Certificate, key: rsa.RSAPrivateKey) -> x509.Certificate:
    """cryptography refuses to sign with SHA-1, so do PKCS#1 v1.5 by hand on the TBS part."""
    parsed = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    algorithm = {"algorithm": "sha1_rsa", "parameters": None}
    tbs = parsed["tbs_certificate"].copy()
    tbs["signature"] = algorithm
    digest_info = bytes.fromhex("3021300906052b0e03021a05000414")
    digest_info += hashlib.sha1(tbs.dump(force=True)).digest()  # noqa: S324 - weak on purpose
    size = key.key_size // 8
    encoded = b"\x00\x01" + b"\xff" * (size - len(digest_info) - 3) + b"\x00" + digest_info
    numbers = key.private_numbers()
    value = pow(int.from_bytes(encoded, "big"), numbers.d, numbers.public_numbers.n)
    signed = asn1_x509.Certificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": algorithm,
            "signature_value": value.to_bytes(size, "big"),
        }
    )
    return x509.load_der_x509_certificate(signed.dump())


def test_sha1_signed_certificate_is_refused():
    cert = _resign_with_sha1(make_cert(), certificate_key())
    assert certificate_problems(certificate=cert, at=NOW) == [
        "Chứng thư số được ký bằng hàm băm SHA1 yếu: cần SHA-256 hoặc mạnh hơn."
    ]


def test_every_problem_is_reported_at_once():
    cert = make_cert(key=certificate_key("rsa", 1024), not_after=NOW - timedelta(days=1), usage={})
    with pytest.raises(ValidationError) as caught:
        certificate_check(certificate=cert, at=NOW)
    assert len(caught.value.messages) == 3
