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
A CSC signer takes another route (``signing.bulk.csc.csc_bulk_sign``) so that the whole batch needs
one authorisation for all its hashes instead of one per document.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from io import BytesIO
from typing import Any

import aiohttp
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import Signer
from pyhanko.sign.signers.csc_signer import CSCSigner
from pyhanko.sign.timestamps import TimestampRequestError

from signing.bulk.csc import csc_bulk_sign
from signing.bulk.types import (
    DEFAULT_CONCURRENCY,
    BulkItem,
    BulkResult,
    ProgressCallback,
    ProgressReporter,
    failed_result,
)
from signing.pades.certcheck import CertificateStatus
from signing.pades.sign import (
    PadesLevel,
    SigningServices,
    async_sign_pdf_stream,
    reservation_for,
    signer_cleared,
    signing_services,
    timestamper_for,
)


async def sign_one(
    item: BulkItem, *, signer: Signer, level: PadesLevel, **shared: Any
) -> BulkResult:
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
                result = await sign_one(
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
