"""Checks on a signing certificate before it is used (Circular 15/2025/TT-BKHCN).

The signer must be told *why* a certificate cannot sign, in Vietnamese, before any document is
touched; so each rule returns a reason instead of raising at the first failure. Revocation is
checked by pyHanko against the CA's OCSP/CRL when revocation data is collected (B-LT, B-LTA).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.core.exceptions import ValidationError

MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
STRONG_HASHES = (hashes.SHA256, hashes.SHA384, hashes.SHA512, hashes.SHA3_256, hashes.SHA3_384)
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

Rule = Callable[[x509.Certificate, datetime], str | None]


def _day(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y")


def _validity(cert: x509.Certificate, at: datetime) -> str | None:
    if at < cert.not_valid_before_utc:
        return (
            f"Chứng thư số chưa có hiệu lực (hiệu lực từ ngày {_day(cert.not_valid_before_utc)})."
        )
    if at > cert.not_valid_after_utc:
        return f"Chứng thư số đã hết hạn từ ngày {_day(cert.not_valid_after_utc)}."
    return None


def _key_usage(cert: x509.Certificate, _at: datetime) -> str | None:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return "Chứng thư số không khai báo mục đích sử dụng khóa (Key Usage) để ký số."
    if not (usage.digital_signature or usage.content_commitment):
        return (
            "Chứng thư số không được cấp cho mục đích ký số "
            "(thiếu digitalSignature hoặc nonRepudiation trong Key Usage)."
        )
    return None


def _key_strength(cert: x509.Certificate, _at: datetime) -> str | None:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        return f"Khóa RSA {key.key_size} bit quá ngắn: cần tối thiểu {MIN_RSA_BITS} bit."
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.key_size < MIN_EC_BITS:
        return f"Khóa ECDSA {key.curve.key_size} bit quá ngắn: cần tối thiểu {MIN_EC_BITS} bit."
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        return "Loại khóa của chứng thư số không được hỗ trợ: chỉ chấp nhận RSA hoặc ECDSA."
    return None


def _signature_hash(cert: x509.Certificate, _at: datetime) -> str | None:
    # A weak hash in the CA's signature lets a certificate be forged, whatever our own hash is.
    algorithm = cert.signature_hash_algorithm
    if algorithm is None:
        # RSASSA-PSS and EdDSA carry the hash in their parameters; PSS is checked by its OID name.
        if cert.signature_algorithm_oid == x509.SignatureAlgorithmOID.RSASSA_PSS:
            return None
        return "Thuật toán chữ ký của chứng thư số không được hỗ trợ."
    if not isinstance(algorithm, STRONG_HASHES):
        return (
            f"Chứng thư số được ký bằng hàm băm {algorithm.name.upper()} yếu: "
            "cần SHA-256 hoặc mạnh hơn."
        )
    return None


RULES: tuple[Rule, ...] = (_validity, _key_usage, _key_strength, _signature_hash)


def as_cryptography(cert: x509.Certificate | asn1_x509.Certificate) -> x509.Certificate:
    if isinstance(cert, asn1_x509.Certificate):
        return x509.load_der_x509_certificate(cert.dump())
    return cert


def certificate_problems(
    *, certificate: x509.Certificate | asn1_x509.Certificate, at: datetime | None = None
) -> list[str]:
    """Every reason, in Vietnamese, why *certificate* may not sign at *at* (default: now)."""
    cert = as_cryptography(certificate)
    moment = at or datetime.now(UTC)
    return [reason for rule in RULES if (reason := rule(cert, moment))]


def certificate_check(
    *, certificate: x509.Certificate | asn1_x509.Certificate, at: datetime | None = None
) -> None:
    """Raise ValidationError listing every problem, or return quietly if the certificate is fit."""
    problems = certificate_problems(certificate=certificate, at=at)
    if problems:
        raise ValidationError(problems, code="certificate_unfit")
