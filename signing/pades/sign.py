"""PAdES signing with pyHanko: B-B, B-T, B-LT and B-LTA, always as an incremental update.

The async functions are the real ones; pyHanko 0.38's own sync calls run ``asyncio.run()`` and
fail inside a running event loop (Channels consumers, async views), so code already in a loop
awaits ``async_sign_pdf_bytes``/``async_sign_pdf_file`` and everything else calls the sync
wrappers. Time-stamps, OCSP and CRLs are fetched over HTTP (aiohttp) from the configured TSA and
from the URLs in the certificates; in development and tests that is the certomancer Animator.

Every path checks the certificate first, so an unfit certificate never signs: the local rules
(``certcheck.certificate_check``) and then its chain and revocation status with the CA
(:func:`async_certificate_clear`), at every level — B-B included, which needs no other outside
service. A caller that signs many documents with one certificate checks once and hands the
:class:`~signing.pades.certcheck.CertificateStatus` to each (``certificate_status``); anything else
gets the per-certificate cache of ``certcheck.certificate_status``.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import os
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, TypedDict, Unpack

import aiohttp
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_noop
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, PdfTimeStamper, Signer
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko.sign.validation.dss import async_add_validation_info
from pyhanko.stamp import BaseStampStyle, TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.api import OwnedFetcherBackend

from signing import devpki
from signing.i18n import gettext
from signing.pades.certcheck import CertificateStatus, certificate_check, certificate_status

logger = logging.getLogger(__name__)

# ISO 8601 with the offset, e.g. 2026-02-05T09:30:00+07:00 (Decree 30 asks for this form).
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%:z"
# Part of the signed document: Vietnamese whoever signs.
DEFAULT_STAMP_TEXT = "Ký bởi: %(signer)s\nThời gian ký: %(ts)s"
# For the signer, translated when raised (``signing.i18n``: this also runs in worker processes).
TSA_UNAVAILABLE = gettext_noop(
    "Không lấy được dấu thời gian từ dịch vụ cấp dấu thời gian (TSA). Vui lòng thử lại sau."
)
CHECK_UNAVAILABLE = gettext_noop(
    "Không kiểm tra được chứng thư số hoặc trạng thái thu hồi (OCSP/CRL) nên chưa ký được. "
    "Vui lòng thử lại sau; nếu vẫn lỗi, hãy báo quản trị hệ thống."
)
# Any of these suffices; Circular 15/2025 names both for signing certificates.
SIGNER_KEY_USAGE = {"digital_signature", "non_repudiation"}


class PadesLevel(enum.StrEnum):
    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"

    @property
    def needs_timestamp(self) -> bool:
        return self is not PadesLevel.B_B

    @property
    def needs_revocation_data(self) -> bool:
        return self in (PadesLevel.B_LT, PadesLevel.B_LTA)


class SigningUnavailable(Exception):
    """A service the signature needs (TSA, OCSP, CRL) did not answer; retrying may succeed."""


@dataclass(frozen=True)
class SigningServices:
    tsa_url: str
    trust_roots: tuple[asn1_x509.Certificate, ...]
    tsa_timeout: float
    fetch_timeout: float


@dataclass(frozen=True)
class TextAppearance:
    """A visible text appearance; ``box`` is (x1, y1, x2, y2) in PDF points on ``page`` (0-based).

    ``text`` may use %(signer)s (the certificate's common name) and %(ts)s (the signing time).
    """

    box: tuple[int, int, int, int]
    page: int = 0
    text: str = DEFAULT_STAMP_TEXT
    font_size: int = 10


class SignOptions(TypedDict, total=False):
    field_name: str | None
    appearance: TextAppearance | None
    reason: str | None
    location: str | None
    services: SigningServices | None
    # A ready-made appearance (e.g. a signature image, signing.pades.appearances); wins over
    # ``appearance``, whose box is still used when a new field is made.
    stamp_style: BaseStampStyle | None
    # The signer's certificate already checked by the caller (once for a batch); without it,
    # the certificate is checked here (and the result cached per certificate for a while).
    certificate_status: CertificateStatus | None


def _load_roots(paths: list[Path]) -> tuple[asn1_x509.Certificate, ...]:
    roots = []
    for path in paths:
        data = path.read_bytes()
        if pem.detect(data):
            data = pem.unarmor(data)[2]
        roots.append(asn1_x509.Certificate.load(data))
    return tuple(roots)


def _dev_roots() -> tuple[asn1_x509.Certificate, ...]:
    try:
        return tuple(devpki.trust_roots(settings.KYHOP_PKI_DIR))
    except OSError:
        # No roots configured and no development PKI: nothing is trusted, and the signer is
        # told so (certificate_untrusted) instead of meeting a server error.
        return ()


def signing_services() -> SigningServices:
    """The TSA, trust roots and timeouts from settings (the development PKI by default)."""
    configured = settings.KYHOP_SIGN_TRUST_ROOTS
    roots = _load_roots(configured) if configured else _dev_roots()
    return SigningServices(
        tsa_url=settings.KYHOP_SIGN_TSA_URL,
        trust_roots=roots,
        tsa_timeout=float(settings.KYHOP_SIGN_TSA_TIMEOUT),
        fetch_timeout=float(settings.KYHOP_SIGN_FETCH_TIMEOUT),
    )


# --- The certificate's standing with the CA, before any signature ----------------------------


def revocation_unknown_allowed(kind: str | None = None) -> bool:
    """Whether a signature may go ahead when the certificate's revocation status cannot be
    determined (``KYHOP_SIGN_REVOCATION_UNKNOWN``): never by default; only initials (*kind*
    ``"initial"``, ký nháy) with "allow-initials"; every signature with "allow"."""
    mode = settings.KYHOP_SIGN_REVOCATION_UNKNOWN
    return mode == "allow" or (mode == "allow-initials" and kind == "initial")


def signer_intermediates(signer: Signer) -> list[asn1_x509.Certificate]:
    registry = signer.cert_registry
    return list(registry) if registry is not None else []


async def async_certificate_status(
    *,
    certificate: asn1_x509.Certificate,
    intermediates: list[asn1_x509.Certificate] | tuple[asn1_x509.Certificate, ...] = (),
    services: SigningServices | None = None,
) -> CertificateStatus:
    """The local rules (a ValidationError naming every problem), then the chain and revocation
    status from the CA or the cache — returned, not judged: see :func:`async_certificate_clear`
    for the judgement, or call ``status.check()`` after deciding what "unknown" allows."""
    certificate_check(certificate=certificate)
    services = services or signing_services()
    return await certificate_status(
        certificate=certificate,
        trust_roots=services.trust_roots,
        intermediates=intermediates,
        fetch_timeout=services.fetch_timeout,
        cache_seconds=float(settings.KYHOP_SIGN_REVOCATION_CACHE_SECONDS),
    )


async def async_certificate_clear(
    *,
    signer: Signer | None = None,
    certificate: asn1_x509.Certificate | None = None,
    intermediates: list[asn1_x509.Certificate] | tuple[asn1_x509.Certificate, ...] = (),
    services: SigningServices | None = None,
    allow_unknown: bool | None = None,
) -> CertificateStatus:
    """Everything checked before a signature by *signer* (or *certificate*): a ValidationError
    with the Vietnamese reason if it may not sign — unfit, revoked, untrusted, or (unless
    *allow_unknown*, default from settings) of undetermined status. The status otherwise."""
    if certificate is None:
        assert signer is not None and signer.signing_cert is not None
        certificate, intermediates = signer.signing_cert, signer_intermediates(signer)
    status = await async_certificate_status(
        certificate=certificate, intermediates=intermediates, services=services
    )
    status.check(
        allow_unknown=revocation_unknown_allowed() if allow_unknown is None else allow_unknown
    )
    return status


async def certificate_cleared(
    *,
    certificate: asn1_x509.Certificate,
    intermediates: list[asn1_x509.Certificate] | tuple[asn1_x509.Certificate, ...] = (),
    given: CertificateStatus | None = None,
    services: SigningServices | None = None,
) -> CertificateStatus:
    """*given* if it is this certificate's (its holder decided on "unknown", e.g. once for a
    batch), else a fresh :func:`async_certificate_clear`. The local rules always run."""
    if given is not None and given.covers(certificate):
        certificate_check(certificate=certificate)  # local and instant
        given.check(allow_unknown=True)
        return given
    return await async_certificate_clear(
        certificate=certificate, intermediates=intermediates, services=services
    )


async def signer_cleared(
    signer: Signer,
    given: CertificateStatus | None = None,
    services: SigningServices | None = None,
) -> CertificateStatus:
    """:func:`certificate_cleared` for *signer*'s certificate, its chain as intermediates."""
    assert signer.signing_cert is not None
    return await certificate_cleared(
        certificate=signer.signing_cert,
        intermediates=signer_intermediates(signer),
        given=given,
        services=services,
    )


def _require_cleared(signer: Signer, status: CertificateStatus | None) -> None:
    if status is None or signer.signing_cert is None or not status.covers(signer.signing_cert):
        raise ValueError("pdf_signer_for needs the certificate_status of this signer's certificate")
    status.check(allow_unknown=True)


def _validation_context(services: SigningServices) -> ValidationContext:
    # "require": a B-LT signature without revocation data for every certificate is not B-LT.
    # The backend is handed over (Owned...) so ValidationContext.aclose() releases its session.
    backend = AIOHttpFetcherBackend(per_request_timeout=services.fetch_timeout)
    return ValidationContext(
        trust_roots=list(services.trust_roots),
        allow_fetching=True,
        revocation_mode="require",
        fetcher_backend=OwnedFetcherBackend(backend),
    )


def _stamp_style(appearance: TextAppearance) -> TextStampStyle:
    font = GlyphAccumulatorFactory(str(settings.KYHOP_SIGN_FONT), font_size=appearance.font_size)
    return TextStampStyle(
        stamp_text=appearance.text,
        timestamp_format=TIME_FORMAT,
        border_width=1,
        text_box_style=TextBoxStyle(font=font, font_size=appearance.font_size),
    )


def _open_writer(source: BinaryIO) -> IncrementalPdfFileWriter:
    try:
        writer = IncrementalPdfFileWriter(source)
    except (PdfError, ValueError) as exc:
        raise ValidationError(
            gettext("Không đọc được tệp PDF, hoặc tệp không cho phép ký bằng cập nhật gia tăng."),
            code="unreadable_pdf",
        ) from exc
    if writer.prev.encrypted:
        raise ValidationError(gettext("Không ký được tệp PDF đã mã hóa."), code="encrypted_pdf")
    return writer


def _free_field_name(existing: dict[str, object]) -> str:
    number = len(existing) + 1
    while f"Signature{number}" in existing:
        number += 1
    return f"Signature{number}"


def _field_spec(
    writer: IncrementalPdfFileWriter, field_name: str | None, appearance: TextAppearance | None
) -> tuple[str, fields.SigFieldSpec | None]:
    """Decide the field: an existing empty one by name, or a new one (visible if asked)."""
    existing = {name: value for name, value, _ref in fields.enumerate_sig_fields(writer.prev)}
    if field_name and field_name in existing:
        if existing[field_name] is not None:
            raise ValidationError(
                gettext("Ô chữ ký “%(name)s” đã được ký.") % {"name": field_name},
                code="field_signed",
            )
        return field_name, None
    name = field_name or _free_field_name(existing)
    if appearance is None:
        return name, None
    spec = fields.SigFieldSpec(sig_field_name=name, on_page=appearance.page, box=appearance.box)
    return name, spec


def _common_name(signer: Signer) -> str:
    cert = signer.signing_cert
    return cert.subject.native.get("common_name", "") if cert is not None else ""


def _metadata(
    *,
    name: str,
    level: PadesLevel,
    reason: str | None,
    location: str | None,
    context: ValidationContext | None,
) -> PdfSignatureMetadata:
    return PdfSignatureMetadata(
        field_name=name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        embed_validation_info=level.needs_revocation_data,
        use_pades_lta=level is PadesLevel.B_LTA,
        validation_context=context,
        signer_key_usage=SIGNER_KEY_USAGE,
    )


async def _sign_stream(
    *,
    source: BinaryIO,
    output: BinaryIO,
    signer: Signer,
    level: PadesLevel,
    field_name: str | None = None,
    appearance: TextAppearance | None = None,
    reason: str | None = None,
    location: str | None = None,
    services: SigningServices | None = None,
    stamp_style: BaseStampStyle | None = None,
    certificate_status: CertificateStatus | None = None,
) -> None:
    level = PadesLevel(level)
    # The certificate first: an unfit or revoked one is refused before the document is read.
    services = services or signing_services()
    await signer_cleared(signer, certificate_status, services)
    writer = _open_writer(source)
    name, new_field = _field_spec(writer, field_name, appearance)
    timestamper, context = None, None
    if level.needs_timestamp:
        timestamper = _shared_timestamper(services)
        if level.needs_revocation_data:
            context = _validation_context(services)
    pdf_signer = PdfSigner(
        _metadata(name=name, level=level, reason=reason, location=location, context=context),
        signer,
        timestamper=timestamper,
        stamp_style=stamp_style or (_stamp_style(appearance) if appearance else None),
        new_field_spec=new_field,
    )
    try:
        # B-B and B-T: the CMS is the signature plus, at B-T, one token; its size is known once
        # per signer and TSA. (At B-LT/B-LTA pyHanko may add more, so it estimates as usual.)
        reserved = None
        if not level.needs_revocation_data:
            reserved = await _reservation_cached(signer, timestamper)
        await pdf_signer.async_sign_pdf(
            writer,
            bytes_reserved=reserved,
            output=output,
            appearance_text_params={"signer": _common_name(signer)},
        )
    except TimestampRequestError as exc:
        raise SigningUnavailable(gettext(TSA_UNAVAILABLE)) from exc
    except SigningError as exc:
        # pyHanko's reason is English and technical: keep it for the operator, not the signer.
        logger.warning("Ký PAdES %s thất bại: %s", level, exc)
        raise SigningUnavailable(gettext(CHECK_UNAVAILABLE)) from exc
    finally:
        if context is not None:
            await context.aclose()


async def async_sign_pdf_bytes(
    *, data: bytes, signer: Signer, level: PadesLevel, **options: Unpack[SignOptions]
) -> bytes:
    """Sign PDF *data* and return the signed document (the original bytes plus one update)."""
    output = BytesIO()
    await _sign_stream(source=BytesIO(data), output=output, signer=signer, level=level, **options)
    return output.getvalue()


async def async_sign_pdf_file(
    *, source: Path, target: Path, signer: Signer, level: PadesLevel, **options: Unpack[SignOptions]
) -> None:
    """Sign *source* into *target* through files, so large documents are not held in memory.

    The result is written beside *target* and renamed into place: a failure leaves no partial
    file, and a reader never sees a half-written one.
    """
    fd, temp_name = tempfile.mkstemp(prefix=".signing-", suffix=".pdf", dir=target.parent)
    try:
        with open(source, "rb") as src, os.fdopen(fd, "w+b") as out:
            await _sign_stream(source=src, output=out, signer=signer, level=level, **options)
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


def sign_pdf_bytes(
    *, data: bytes, signer: Signer, level: PadesLevel, **options: Unpack[SignOptions]
) -> bytes:
    """Sync wrapper of :func:`async_sign_pdf_bytes`; not for use inside an event loop."""
    return asyncio.run(async_sign_pdf_bytes(data=data, signer=signer, level=level, **options))


def sign_pdf_file(
    *, source: Path, target: Path, signer: Signer, level: PadesLevel, **options: Unpack[SignOptions]
) -> None:
    """Sync wrapper of :func:`async_sign_pdf_file`; not for use inside an event loop."""
    asyncio.run(
        async_sign_pdf_file(source=source, target=target, signer=signer, level=level, **options)
    )


# --- Building blocks for the other signing paths (external, CSC, bulk) ----------------------


@dataclass(frozen=True)
class PreparedPdfSigner:
    """A configured pyHanko PdfSigner with the writer it signs into; close ``context`` after."""

    pdf_signer: PdfSigner
    writer: IncrementalPdfFileWriter
    appearance_text_params: dict[str, str]
    context: ValidationContext | None


def timestamper_for(
    services: SigningServices, *, session: aiohttp.ClientSession | None = None
) -> HTTPTimeStamper:
    """One TSA client. Shared between documents it reuses its cached size-estimate token (one
    TSA round trip less per document) and, given a *session*, its HTTP connections."""
    return HTTPTimeStamper(services.tsa_url, timeout=services.tsa_timeout, session=session)


def pdf_signer_for(
    *,
    source: BinaryIO,
    signer: Signer,
    level: PadesLevel,
    timestamper: HTTPTimeStamper | None = None,
    **options: Unpack[SignOptions],
) -> PreparedPdfSigner:
    """The same checks and PdfSigner as :func:`async_sign_pdf_bytes`, for callers that drive
    pyHanko's steps themselves (interrupted signing, batches sharing one TSA client). The
    caller has checked the certificate with the CA (this is not async): ``certificate_status``
    of this signer's certificate is required, and must allow signing."""
    level = PadesLevel(level)
    certificate_check(certificate=signer.signing_cert)
    _require_cleared(signer, options.get("certificate_status"))
    writer = _open_writer(source)
    name, new_field = _field_spec(writer, options.get("field_name"), options.get("appearance"))
    context = None
    if level.needs_timestamp:
        services = options.get("services") or signing_services()
        timestamper = timestamper or timestamper_for(services)
        if level.needs_revocation_data:
            context = _validation_context(services)
    else:
        timestamper = None
    appearance = options.get("appearance")
    pdf_signer = PdfSigner(
        _metadata(
            name=name,
            level=level,
            reason=options.get("reason"),
            location=options.get("location"),
            context=context,
        ),
        signer,
        timestamper=timestamper,
        # A ready-made appearance (signature image, seal) wins, as in _sign_stream: without
        # this, documents signed in bulk would lose their Decree 30 appearances.
        stamp_style=options.get("stamp_style")
        or (_stamp_style(appearance) if appearance else None),
        new_field_spec=new_field,
    )
    return PreparedPdfSigner(
        pdf_signer=pdf_signer,
        writer=writer,
        appearance_text_params={"signer": _common_name(signer)},
        context=context,
    )


async def async_sign_pdf_stream(
    *,
    source: BinaryIO,
    output: BinaryIO | None,
    signer: Signer,
    level: PadesLevel,
    timestamper: HTTPTimeStamper | None = None,
    in_place: bool = False,
    bytes_reserved: int | None = None,
    **options: Unpack[SignOptions],
) -> None:
    """Like :func:`async_sign_pdf_bytes` on streams, with two additions: a TSA client shared
    by many documents (bulk signing), and ``in_place`` signing, which appends the update to
    *source* itself (opened ``r+b``) so a large file is neither copied through Python nor
    held in memory. ``bytes_reserved`` (hex characters for the CMS) skips pyHanko's dry-run
    signature that otherwise sizes the placeholder for every document (see
    :func:`reservation_for`)."""
    options["certificate_status"] = await signer_cleared(
        signer, options.get("certificate_status"), options.get("services")
    )
    prepared = pdf_signer_for(
        source=source, signer=signer, level=level, timestamper=timestamper, **options
    )
    try:
        await prepared.pdf_signer.async_sign_pdf(
            prepared.writer,
            output=output,
            in_place=in_place,
            bytes_reserved=bytes_reserved,
            appearance_text_params=prepared.appearance_text_params,
        )
    except TimestampRequestError as exc:
        raise SigningUnavailable(gettext(TSA_UNAVAILABLE)) from exc
    except SigningError as exc:
        logger.warning("Ký PAdES %s thất bại: %s", level, exc)
        raise SigningUnavailable(gettext(CHECK_UNAVAILABLE)) from exc
    finally:
        if prepared.context is not None:
            await prepared.context.aclose()


async def async_sign_pdf_file_in_place(
    *, source: Path, target: Path, signer: Signer, level: PadesLevel, **options: Unpack[SignOptions]
) -> None:
    """Sign *source* into *target* for large files: the kernel copies the bytes (copy_file_range
    or sendfile, no user-space buffer) and pyHanko appends the signature update to the copy in
    place, so Python never holds or re-writes the document, only hashes it in chunks.

    Same guarantees as :func:`async_sign_pdf_file`: a temporary sibling renamed into place.
    """
    fd, temp_name = tempfile.mkstemp(prefix=".signing-", suffix=".pdf", dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(source, temp_name)
        with open(temp_name, "r+b") as handle:
            await async_sign_pdf_stream(
                source=handle, output=None, signer=signer, level=level, in_place=True, **options
            )
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


def sign_pdf_file_in_place(
    *, source: Path, target: Path, signer: Signer, level: PadesLevel, **options: Unpack[SignOptions]
) -> None:
    """Sync wrapper of :func:`async_sign_pdf_file_in_place`; not for use inside an event loop."""
    asyncio.run(
        async_sign_pdf_file_in_place(
            source=source, target=target, signer=signer, level=level, **options
        )
    )


# Room on top of a dry-run estimate, in hex characters: a real time-stamp token can be a little
# longer than the cached dummy one (serial number, nonce, time precision).
RESERVATION_MARGIN = 4096


_timestampers: dict[tuple[str, float], HTTPTimeStamper] = {}
# Per signer *object* (the key backends keep parsed signers): the same object always embeds the same
# certificates and signature mechanism, which a certificate alone does not tell (a PKCS#11
# token and a PKCS#12 file may hold the same certificate with other chains or mechanisms).
_reservations: weakref.WeakKeyDictionary[Signer, dict[str, int]] = weakref.WeakKeyDictionary()


def _shared_timestamper(services: SigningServices) -> HTTPTimeStamper:
    """One TSA client per process and TSA. pyHanko sizes a B-T placeholder with a dummy token
    it asks the TSA for once per client; a new client per signature paid that round trip on
    every signature. No session is kept (one per request), so it is safe across event loops."""
    key = (services.tsa_url, float(services.tsa_timeout))
    found = _timestampers.get(key)
    if found is None:
        found = _timestampers[key] = HTTPTimeStamper(services.tsa_url, timeout=services.tsa_timeout)
    return found


async def _reservation_cached(signer: Signer, timestamper: HTTPTimeStamper | None) -> int | None:
    """The placeholder size for *signer* (and *timestamper*), estimated once per process.

    pyHanko otherwise builds and signs a whole dummy CMS before every signature to size it;
    for a single B-B signature that was about a fifth of the work.
    """
    try:
        known = _reservations.setdefault(signer, {})
    except TypeError:  # a signer that cannot be weakly referenced: let pyHanko estimate
        return None
    url = timestamper.url if timestamper else ""
    if url not in known:
        known[url] = await reservation_for(signer=signer, timestamper=timestamper)
    return known[url]


async def reservation_for(*, signer: Signer, timestamper: HTTPTimeStamper | None) -> int:
    """Placeholder size for every document signed by *signer* with *timestamper*.

    pyHanko sizes the placeholder by building a whole dummy CMS before each signature, which
    is about half the CPU of a B-T signature; in a batch one estimate serves every document.
    """
    dummy = await signer.async_sign(
        bytes(32), "sha256", dry_run=True, use_pades=True, timestamper=timestamper
    )
    return 2 * len(dummy.dump()) + RESERVATION_MARGIN


async def async_extend_to_level(
    *,
    data: bytes,
    level: PadesLevel,
    services: SigningServices,
    timestamper: HTTPTimeStamper | None = None,
) -> bytes:
    """Bring *data*'s last signature, made at B-T, up to *level*: B-LT adds the certificates and
    OCSP/CRL answers to the DSS, B-LTA then a document time-stamp — what pyHanko's own signing
    does after the signature when ``embed_validation_info``/``use_pades_lta`` are set. Used
    where the signature value was made elsewhere (CSC batches), so pyHanko could not."""
    level = PadesLevel(level)
    if not level.needs_revocation_data:
        return data
    context = _validation_context(services)
    try:
        signature = PdfFileReader(BytesIO(data)).embedded_regular_signatures[-1]
        extended = await async_add_validation_info(signature, context, output=BytesIO())
        if level is PadesLevel.B_LTA:
            stamper = PdfTimeStamper(timestamper or timestamper_for(services))
            extended = await stamper.async_timestamp_pdf(
                IncrementalPdfFileWriter(extended),
                "sha256",
                validation_context=context,
                output=BytesIO(),
            )
        return extended.getvalue()
    except TimestampRequestError as exc:
        raise SigningUnavailable(gettext(TSA_UNAVAILABLE)) from exc
    except (SigningError, ValidationError, PathBuildingError, PathValidationError) as exc:
        logger.warning("Không bổ sung được dữ liệu kiểm tra lâu dài (%s): %s", level, exc)
        raise SigningUnavailable(gettext(CHECK_UNAVAILABLE)) from exc
    finally:
        await context.aclose()
