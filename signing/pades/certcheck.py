"""Checks on a signing certificate before it is used (Circular 15/2025/TT-BKHCN).

The signer must be told *why* a certificate cannot sign, in Vietnamese, before any document is
touched; so each rule returns a reason instead of raising at the first failure.

Two kinds of check:

* the rules on the certificate itself (validity, key usage, key and hash strength):
  :func:`certificate_problems` / :func:`certificate_check`, local and instant;
* its standing with the CA (:func:`certificate_status`): the chain is built to the configured
  trust roots and the revocation status of every certificate on it is asked of the CA's OCSP
  responder or CRL (pyhanko-certvalidator, revocation mode "require"). The answer is kept for
  a short while per certificate (``cache_seconds``) so that a signer signing one document after
  another, or a batch, does not wait for the CA each time; only definite answers are kept
  (good, revoked), never "could not be determined".

Which of these a signature needs, and whether an undetermined status blocks it, is decided by
``signing.pades.sign`` (every signing path goes through it).
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import aiohttp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    InsufficientRevinfoError,
    InvalidCertificateError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.api import OwnedFetcherBackend

from signing.i18n import gettext as safe_gettext

logger = logging.getLogger(__name__)

MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
STRONG_HASHES = (hashes.SHA256, hashes.SHA384, hashes.SHA512, hashes.SHA3_256, hashes.SHA3_384)
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class Problem(str):
    """A reason a certificate may not sign: the Vietnamese sentence itself (what the validation
    report matches with its own wording, in a process that cannot translate), keeping its
    message id and parameters so that :func:`certificate_check` can tell the signer in their
    language."""

    template: str
    params: dict[str, object]

    def __new__(cls, template: str, **params: object) -> Problem:
        problem = super().__new__(cls, template % params if params else template)
        problem.template, problem.params = template, params
        return problem

    def translated(self) -> str:
        """In the active language (Vietnamese where Django cannot translate)."""
        template = getattr(self, "template", str(self))
        params = getattr(self, "params", {})
        text = safe_gettext(template)
        return text % params if params else text


Rule = Callable[[x509.Certificate, datetime], str | None]


def _day(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y")


def _validity(cert: x509.Certificate, at: datetime) -> str | None:
    if at < cert.not_valid_before_utc:
        return Problem(
            gettext_noop("Chứng thư số chưa có hiệu lực (hiệu lực từ ngày %(day)s)."),
            day=_day(cert.not_valid_before_utc),
        )
    if at > cert.not_valid_after_utc:
        return Problem(
            gettext_noop("Chứng thư số đã hết hạn từ ngày %(day)s."),
            day=_day(cert.not_valid_after_utc),
        )
    return None


def _key_usage(cert: x509.Certificate, _at: datetime) -> str | None:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return Problem(
            gettext_noop("Chứng thư số không khai báo mục đích sử dụng khóa (Key Usage) để ký số.")
        )
    if not (usage.digital_signature or usage.content_commitment):
        return Problem(
            gettext_noop(
                "Chứng thư số không được cấp cho mục đích ký số "
                "(thiếu digitalSignature hoặc nonRepudiation trong Key Usage)."
            )
        )
    return None


def _key_strength(cert: x509.Certificate, _at: datetime) -> str | None:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        return Problem(
            gettext_noop("Khóa RSA %(bits)d bit quá ngắn: cần tối thiểu %(minimum)d bit."),
            bits=key.key_size,
            minimum=MIN_RSA_BITS,
        )
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.key_size < MIN_EC_BITS:
        return Problem(
            gettext_noop("Khóa ECDSA %(bits)d bit quá ngắn: cần tối thiểu %(minimum)d bit."),
            bits=key.curve.key_size,
            minimum=MIN_EC_BITS,
        )
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        return Problem(
            gettext_noop(
                "Loại khóa của chứng thư số không được hỗ trợ: chỉ chấp nhận RSA hoặc ECDSA."
            )
        )
    return None


def _signature_hash(cert: x509.Certificate, _at: datetime) -> str | None:
    # A weak hash in the CA's signature lets a certificate be forged, whatever our own hash is.
    algorithm = cert.signature_hash_algorithm
    if algorithm is None:
        # RSASSA-PSS and EdDSA carry the hash in their parameters; PSS is checked by its OID name.
        if cert.signature_algorithm_oid == x509.SignatureAlgorithmOID.RSASSA_PSS:
            return None
        return Problem(gettext_noop("Thuật toán chữ ký của chứng thư số không được hỗ trợ."))
    if not isinstance(algorithm, STRONG_HASHES):
        return Problem(
            gettext_noop(
                "Chứng thư số được ký bằng hàm băm %(hash)s yếu: cần SHA-256 hoặc mạnh hơn."
            ),
            hash=algorithm.name.upper(),
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
    """Every reason, in Vietnamese, why *certificate* may not sign at *at* (default: now);
    each a :class:`Problem`, whose ``translated()`` is the same in the active language."""
    cert = as_cryptography(certificate)
    moment = at or datetime.now(UTC)
    return [reason for rule in RULES if (reason := rule(cert, moment))]


def certificate_check(
    *, certificate: x509.Certificate | asn1_x509.Certificate, at: datetime | None = None
) -> None:
    """Raise ValidationError listing every problem (in the active language), or return quietly
    if the certificate is fit."""
    problems = certificate_problems(certificate=certificate, at=at)
    if problems:
        raise ValidationError(
            [_translated(problem) for problem in problems], code="certificate_unfit"
        )


def _translated(problem: str) -> str:
    return problem.translated() if isinstance(problem, Problem) else problem


# --- Standing with the CA: chain and revocation -----------------------------------------------


class RevocationState(enum.StrEnum):
    GOOD = "good"  # chains to a trust root, and nothing on the chain is revoked
    REVOKED = "revoked"  # the certificate, or a CA certificate above it, is revoked
    UNKNOWN = "unknown"  # the CA's OCSP responder and CRL could not be reached or read
    UNTRUSTED = "untrusted"  # no chain to a configured trust root
    INVALID = "invalid"  # a chain exists but is broken (a CA expired, a bad signature…)


# RFC 5280 CRL reasons, as the signer should read them (translated when the message is made).
NO_REASON = gettext_noop("không nêu lý do")
REVOCATION_REASONS = {
    "unspecified": NO_REASON,
    "key_compromise": gettext_noop("khóa bí mật bị lộ"),
    "ca_compromise": gettext_noop("khóa của tổ chức cấp chứng thư bị lộ"),
    "affiliation_changed": gettext_noop(
        "thông tin về cơ quan, chức vụ của người được cấp đã thay đổi"
    ),
    "superseded": gettext_noop("đã được thay bằng chứng thư khác"),
    "cessation_of_operation": gettext_noop("chấm dứt sử dụng"),
    "certificate_hold": gettext_noop("tạm dừng hiệu lực"),
    "remove_from_crl": gettext_noop("gỡ khỏi danh sách thu hồi"),
    "privilege_withdrawn": gettext_noop("bị rút quyền sử dụng"),
    "aa_compromise": gettext_noop("khóa của tổ chức cấp thuộc tính bị lộ"),
}
# Definite answers are kept; "unknown" and chain failures may be passing (a fetch that failed).
CACHED_STATES = (RevocationState.GOOD, RevocationState.REVOKED)
CODES = {
    RevocationState.REVOKED: "certificate_revoked",
    RevocationState.UNKNOWN: "revocation_unknown",
    RevocationState.UNTRUSTED: "certificate_untrusted",
    RevocationState.INVALID: "certificate_chain_invalid",
}


def fingerprint(certificate: asn1_x509.Certificate) -> str:
    return hashlib.sha256(certificate.dump()).hexdigest()


def _moment(value: datetime) -> str:
    local = value.astimezone(VIETNAM)
    return gettext("%(time)s ngày %(day)s (giờ Việt Nam)") % {
        "time": local.strftime("%H:%M:%S"),
        "day": local.strftime("%d/%m/%Y"),
    }


@dataclass(frozen=True)
class CertificateStatus:
    """What the CA said about a certificate and its chain, and when it was asked.

    Plain data (picklable): a batch checks once and hands the result to every document, also
    to worker processes. ``reason`` is the RFC 5280 reason name; ``issuer_revoked`` says the
    revoked certificate is a CA's on the chain rather than the signer's own.
    """

    fingerprint: str
    state: RevocationState
    checked_at: datetime
    revoked_at: datetime | None = None
    reason: str | None = None
    issuer_revoked: bool = False

    def covers(self, certificate: asn1_x509.Certificate) -> bool:
        return self.fingerprint == fingerprint(certificate)

    def blocks(self, *, allow_unknown: bool) -> bool:
        if self.state is RevocationState.UNKNOWN:
            return not allow_unknown
        return self.state is not RevocationState.GOOD

    def message(self) -> str:
        """The Vietnamese sentence for the signer (rendered now, in the active language)."""
        state = self.state
        if state is RevocationState.GOOD:
            return gettext("Chứng thư số còn hiệu lực (không bị thu hồi).")
        if state is RevocationState.REVOKED:
            return self._revoked_message()
        if state is RevocationState.UNKNOWN:
            return gettext(
                "Không xác định được chứng thư số còn hiệu lực hay đã bị thu hồi: dịch vụ kiểm "
                "tra trạng thái chứng thư (OCSP/CRL) của tổ chức cấp không phản hồi. Vui lòng "
                "thử lại sau; nếu vẫn lỗi, hãy báo quản trị hệ thống."
            )
        if state is RevocationState.UNTRUSTED:
            return gettext(
                "Chứng thư số không được cấp bởi tổ chức cung cấp dịch vụ chứng thực chữ ký số "
                "được tin cậy (không dẫn về chứng thư gốc nào đã được cấu hình). Không thể ký "
                "bằng chứng thư này."
            )
        return gettext(
            "Chuỗi chứng thư số không hợp lệ (chứng thư của tổ chức cấp đã hết hạn, sai chữ ký "
            "hoặc vi phạm ràng buộc). Không thể ký bằng chứng thư này."
        )

    def _revoked_message(self) -> str:
        params = {
            "moment": (
                _moment(self.revoked_at) if self.revoked_at else gettext("không rõ thời điểm")
            ),
            "reason": gettext(REVOCATION_REASONS.get(self.reason or "", NO_REASON)),
        }
        if self.issuer_revoked:
            text = gettext(
                "Chứng thư của tổ chức cấp chứng thư số cho bạn đã bị thu hồi từ %(moment)s, "
                "lý do: %(reason)s. Không thể ký bằng chứng thư này."
            )
        else:
            text = gettext(
                "Chứng thư số đã bị thu hồi từ %(moment)s, lý do: %(reason)s. Không thể ký "
                "bằng chứng thư này; hãy liên hệ tổ chức cung cấp dịch vụ chứng thực chữ ký số "
                "để được cấp chứng thư mới."
            )
        return text % params

    def warning(self) -> str | None:
        """What to tell a signer whose signature went ahead without a definite answer."""
        if self.state is not RevocationState.UNKNOWN:
            return None
        return gettext(
            "Chữ ký đã được tạo nhưng chưa xác định được chứng thư số có bị thu hồi hay không "
            "(dịch vụ OCSP/CRL không phản hồi), theo cấu hình của hệ thống."
        )

    def check(self, *, allow_unknown: bool) -> None:
        """Raise a Vietnamese ValidationError if this status may not sign."""
        if self.blocks(allow_unknown=allow_unknown):
            raise ValidationError(self.message(), code=CODES[self.state])


class _StatusCache:
    """Definite statuses per (certificate, trust roots), each for ``ttl`` seconds; one per
    process, shared by its threads (the web process's requests, its bulk jobs)."""

    MAX_ENTRIES = 4096

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], tuple[float, CertificateStatus]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> CertificateStatus | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= time.monotonic():
                del self._entries[key]
                return None
            return entry[1]

    def put(self, key: tuple[str, str], status: CertificateStatus, ttl: float) -> None:
        if ttl <= 0 or status.state not in CACHED_STATES:
            return
        with self._lock:
            if len(self._entries) >= self.MAX_ENTRIES:
                now = time.monotonic()
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
                if len(self._entries) >= self.MAX_ENTRIES:
                    self._entries.clear()
            self._entries[key] = (time.monotonic() + ttl, status)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_status_cache = _StatusCache()


def certificate_status_cache_clear() -> None:
    _status_cache.clear()


def _roots_key(trust_roots: Iterable[asn1_x509.Certificate]) -> str:
    return hashlib.sha256("".join(sorted(fingerprint(r) for r in trust_roots)).encode()).hexdigest()


def _revoked(exc: RevokedError, print_: str) -> CertificateStatus:
    reason = exc.reason.native if exc.reason is not None else None
    return CertificateStatus(
        fingerprint=print_,
        state=RevocationState.REVOKED,
        checked_at=datetime.now(UTC),
        revoked_at=exc.revocation_dt,
        reason=reason,
        issuer_revoked=not exc.is_ee_cert,
    )


async def _ask_the_ca(
    certificate: asn1_x509.Certificate,
    intermediates: list[asn1_x509.Certificate],
    trust_roots: list[asn1_x509.Certificate],
    fetch_timeout: float,
) -> CertificateStatus:
    print_ = fingerprint(certificate)

    def status(state: RevocationState) -> CertificateStatus:
        return CertificateStatus(fingerprint=print_, state=state, checked_at=datetime.now(UTC))

    # "require": every certificate on the chain needs an OCSP answer or a CRL. The backend is
    # handed over (Owned...) so that aclose() releases its HTTP session. trust_roots is a list,
    # never None: None would mean the operating system's store.
    context = ValidationContext(
        trust_roots=trust_roots,
        allow_fetching=True,
        revocation_mode="require",
        fetcher_backend=OwnedFetcherBackend(
            AIOHttpFetcherBackend(per_request_timeout=fetch_timeout)
        ),
    )
    validator = CertificateValidator(
        certificate, intermediate_certs=intermediates, validation_context=context
    )
    subject = certificate.subject.human_friendly
    try:
        # The chain's certificates are asked one after the other: bound the whole exchange.
        async with asyncio.timeout(fetch_timeout * 3):
            await validator.async_validate_path()
    except RevokedError as exc:
        return _revoked(exc, print_)
    except InsufficientRevinfoError as exc:
        logger.warning("Không xác định được trạng thái thu hồi của %s: %s", subject, exc)
        return status(RevocationState.UNKNOWN)
    except (PathBuildingError, InvalidCertificateError) as exc:
        logger.warning("Chứng thư %s không dẫn về gốc tin cậy: %s", subject, exc)
        return status(RevocationState.UNTRUSTED)
    except PathValidationError as exc:
        logger.warning("Chuỗi chứng thư của %s không hợp lệ: %s", subject, exc)
        return status(RevocationState.INVALID)
    except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as exc:
        logger.warning("Không hỏi được OCSP/CRL cho %s: %s", subject, exc)
        return status(RevocationState.UNKNOWN)
    finally:
        await context.aclose()
    return status(RevocationState.GOOD)


async def certificate_status(
    *,
    certificate: asn1_x509.Certificate,
    trust_roots: Iterable[asn1_x509.Certificate],
    intermediates: Iterable[asn1_x509.Certificate] = (),
    fetch_timeout: float,
    cache_seconds: float,
) -> CertificateStatus:
    """The chain and revocation status of *certificate*, from the cache or from the CA.

    *intermediates* help build the chain (the signer's own, e.g. from its PKCS#12); missing
    CA certificates are fetched from the AIA URLs. Never raises for the CA's answer: the
    caller decides what each state allows (:meth:`CertificateStatus.check`).
    """
    roots = list(trust_roots)
    key = (fingerprint(certificate), _roots_key(roots))
    cached = _status_cache.get(key)
    if cached is not None:
        return cached
    found = await _ask_the_ca(
        certificate,
        [c for c in intermediates if c.dump() != certificate.dump()],
        roots,
        fetch_timeout,
    )
    _status_cache.put(key, found, cache_seconds)
    return found
