"""Bulk signing (ký hàng loạt): many documents under one confirmation, one result each.

The signer is obtained once (one PIN, one CSC session) and shared. Documents are signed
concurrently up to a bound: most of a B-T signature's time is spent waiting for the TSA (and
for OCSP/CRL at B-LT), so the waits overlap; the TSA client and its HTTP connections are
shared, and the signature placeholder is sized once for the batch instead of by a dry-run
signature per document (half the CPU of a B-T signature).

Each document is isolated: its failure becomes its own result with a Vietnamese message and
never stops, delays or corrupts the others (each is signed into its own buffer). Progress is
reported once per finished document, in completion order, for the live progress bar.

No models here: the caller loads the versions, stores the results and writes the audit rows.
A CSC signer takes another route (``csc_backend.csc_bulk_sign``) so that the whole batch needs
one authorisation for all its hashes instead of one per document.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from io import BytesIO

import aiohttp
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_noop
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import Signer
from pyhanko.sign.signers.csc_signer import CSCSigner
from pyhanko.sign.timestamps import TimestampRequestError

from signing.i18n import gettext
from signing.pades.certcheck import CertificateStatus
from signing.pades.sign import (
    PadesLevel,
    SigningServices,
    SigningUnavailable,
    SignOptions,
    async_sign_pdf_stream,
    reservation_for,
    signer_cleared,
    signing_services,
    timestamper_for,
)

logger = logging.getLogger(__name__)

# Enough to hide TSA/OCSP latency; small enough that 100 documents are not all held open at once.
DEFAULT_CONCURRENCY = 8
UNEXPECTED = gettext_noop(
    "Lỗi không mong đợi khi ký tài liệu này; các tài liệu khác không bị ảnh hưởng."
)


@dataclass(frozen=True)
class BulkItem:
    """One document to sign; ``key`` is the caller's handle (e.g. the version id)."""

    key: str
    data: bytes
    options: SignOptions = field(default_factory=lambda: SignOptions())


@dataclass(frozen=True)
class BulkResult:
    key: str
    data: bytes | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class BulkProgress:
    done: int
    total: int
    result: BulkResult


ProgressCallback = Callable[[BulkProgress], Awaitable[None] | None]


def error_message(exc: BaseException) -> str:
    """The message for a document that could not be signed, in the active language (in a
    worker process, Vietnamese: the parent translates it, see ``signing.i18n``)."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, SigningUnavailable):
        return str(exc)
    return gettext(UNEXPECTED)


def failed_result(key: str, exc: BaseException) -> BulkResult:
    """The result of a document that failed; unexpected errors are logged in full."""
    if not isinstance(exc, ValidationError | SigningUnavailable):
        logger.error("Ký hàng loạt: lỗi không mong đợi với tài liệu %s", key, exc_info=exc)
    return BulkResult(key=key, error=error_message(exc))


class ProgressReporter:
    """Counts finished documents and calls the callback (sync or async) for each."""

    def __init__(self, total: int, callback: ProgressCallback | None) -> None:
        self.total = total
        self.done = 0
        self.callback = callback

    async def report(self, result: BulkResult) -> BulkResult:
        self.done += 1
        if self.callback is not None:
            outcome = self.callback(BulkProgress(done=self.done, total=self.total, result=result))
            if inspect.isawaitable(outcome):
                await outcome
        return result


async def _sign_one(item: BulkItem, *, signer: Signer, level: PadesLevel, **shared) -> BulkResult:
    output = BytesIO()
    try:
        await async_sign_pdf_stream(
            source=BytesIO(item.data),
            output=output,
            signer=signer,
            level=level,
            **shared,
            **item.options,
        )
    except Exception as exc:
        # Isolation is the contract: one broken PDF must not abort the batch.
        return failed_result(item.key, exc)
    return BulkResult(key=item.key, data=output.getvalue())


async def bulk_sign(
    items: Sequence[BulkItem],
    *,
    signer_factory: Callable[[], Signer],
    level: PadesLevel,
    on_progress: ProgressCallback | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    services: SigningServices | None = None,
    certificate_status: CertificateStatus | None = None,
) -> list[BulkResult]:
    """Sign *items*; the results come back in the order of *items*.

    ``signer_factory`` is called once, before any document is touched: a wrong PIN raises
    its ValidationError here and nothing is signed. So is the certificate checked, once for
    the batch (rules, chain, revocation; or *certificate_status* if the caller did): an unfit,
    revoked or untrusted one raises its ValidationError here, and every document is signed
    under that one answer.
    """
    level = PadesLevel(level)
    signer = signer_factory()
    certificate_status = await signer_cleared(
        signer, certificate_status, services or signing_services()
    )
    if level.needs_timestamp:
        services = services or signing_services()
    if isinstance(signer, CSCSigner):
        from signing.backends.csc import csc_bulk_sign  # csc_backend imports this module

        return await csc_bulk_sign(
            items,
            signer=signer,
            level=level,
            on_progress=on_progress,
            services=services,
            certificate_status=certificate_status,
        )
    reporter = ProgressReporter(len(items), on_progress)
    gate = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession() as http:
        timestamper = timestamper_for(services, session=http) if services else None
        try:
            reserved = await reservation_for(signer=signer, timestamper=timestamper)
        except (TimestampRequestError, SigningError, aiohttp.ClientError):
            reserved = None  # TSA down: each document meets the same error and reports it

        async def run(item: BulkItem) -> BulkResult:
            async with gate:
                result = await _sign_one(
                    item,
                    signer=signer,
                    level=level,
                    timestamper=timestamper,
                    services=services,
                    bytes_reserved=reserved,
                    certificate_status=certificate_status,
                )
            return await reporter.report(result)

        return list(await asyncio.gather(*(run(item) for item in items)))
