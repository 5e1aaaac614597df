"""Bulk signing through a CSC service: one authorisation for the hashes of many documents.

Every document is prepared first (``signing.pades.external``), the hashes go to the service
together — in batches of the service's ``multisign`` limit — and each document is finished
with its signature value. External signing stops at B-T; B-LT and B-LTA are added after the
signature value arrives (``signing.pades.sign.async_extend_to_level``). The signer comes from
``signing.backends.csc.csc_signer``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import aiohttp
from django.core.exceptions import ValidationError
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.csc_signer import CSCSigner
from pyhanko.sign.timestamps import HTTPTimeStamper

from signing.backends.csc import SERVICE_DOWN
from signing.bulk.types import (
    BulkItem,
    BulkResult,
    ProgressCallback,
    ProgressReporter,
    error_message,
    failed_result,
)
from signing.i18n import gettext
from signing.pades.certcheck import CertificateStatus
from signing.pades.external import (
    MD_ALGORITHM,
    PreparedSignature,
    external_finish,
    external_prepare,
)
from signing.pades.sign import (
    PadesLevel,
    SigningServices,
    SigningUnavailable,
    async_extend_to_level,
    timestamper_for,
)


async def _sign_chunk(signer: CSCSigner, chunk: list[PreparedSignature]) -> list[bytes]:
    """One authorisation and one signHash call for every hash of *chunk*."""
    signer.batch_size = len(chunk)  # the batch commits when the last hash has joined it
    values = await asyncio.gather(
        *(signer.async_sign_raw(p.to_be_signed, MD_ALGORITHM) for p in chunk)
    )
    return list(values)


async def _prepare(
    item: BulkItem, signer: CSCSigner, level: PadesLevel, status: CertificateStatus | None
) -> PreparedSignature:
    chain = tuple(signer.auth_manager.credential_info.chain)
    return await external_prepare(
        data=item.data,
        certificate=signer.signing_cert,
        chain=chain,
        level=level,
        prefer_pss=signer.prefer_pss,
        **(item.options | {"certificate_status": status}),
    )


async def csc_bulk_sign(
    items: Sequence[BulkItem],
    *,
    signer: CSCSigner,
    level: PadesLevel,
    on_progress: ProgressCallback | None = None,
    services: SigningServices | None = None,
    certificate_status: CertificateStatus | None = None,
) -> list[BulkResult]:
    """Sign *items* through the CSC service with one authorisation per batch of hashes (the
    service's ``multisign`` limit; one for the whole batch with the usual limits).

    *certificate_status*: the credential's certificate as checked once for the batch
    (``inprocess.bulk_sign`` does); without it each document meets the cached check."""
    reporter = ProgressReporter(len(items), on_progress)
    results: dict[str, BulkResult] = {}
    prepared: list[tuple[BulkItem, PreparedSignature]] = []
    # External signing stops at B-T; B-LT/B-LTA are added after the signature value arrives.
    signed_level = PadesLevel.B_T if level.needs_revocation_data else level
    for item in items:  # preparing is local CPU work; a bad PDF fails here, alone
        try:
            prepared.append((item, await _prepare(item, signer, signed_level, certificate_status)))
        except Exception as exc:  # isolated per document, as in inprocess.py; logged there
            results[item.key] = await reporter.report(failed_result(item.key, exc))
    limit = max(1, signer.auth_manager.credential_info.max_batch_size)
    async with aiohttp.ClientSession() as http:
        timestamper = timestamper_for(services, session=http) if services else None
        for start in range(0, len(prepared), limit):
            chunk = prepared[start : start + limit]
            try:
                values = await _sign_chunk(signer, [p for _item, p in chunk])
            except (SigningError, ValidationError) as exc:
                # The authorisation or signHash call failed: the whole chunk is unsigned.
                message = (
                    gettext(SERVICE_DOWN) if isinstance(exc, SigningError) else error_message(exc)
                )
                for item, _p in chunk:
                    failed = BulkResult(key=item.key, error=message)
                    results[item.key] = await reporter.report(failed)
                continue
            finished = await asyncio.gather(
                *(
                    _finish(item, p, value, services, timestamper, level, certificate_status)
                    for (item, p), value in zip(chunk, values, strict=True)
                )
            )
            for result in finished:
                results[result.key] = await reporter.report(result)
    return [results[item.key] for item in items]


async def _finish(
    item: BulkItem,
    prepared: PreparedSignature,
    value: bytes,
    services: SigningServices | None,
    timestamper: HTTPTimeStamper | None,
    level: PadesLevel,
    status: CertificateStatus | None,
) -> BulkResult:
    try:
        data = await external_finish(
            prepared=prepared,
            signature_value=value,
            services=services,
            timestamper=timestamper,
            certificate_status=status,
        )
        if level.needs_revocation_data and services is not None:
            data = await async_extend_to_level(
                data=data, level=level, services=services, timestamper=timestamper
            )
    except (ValidationError, SigningUnavailable) as exc:
        return BulkResult(key=item.key, error=error_message(exc))
    return BulkResult(key=item.key, data=data)
