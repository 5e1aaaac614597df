"""Remote signing through the Cloud Signature Consortium API v1 (tested with certomancer's
CSC dummy service).

pyHanko's CSCSigner calls ``signatures/signHash`` but leaves getting the Signature Activation
Data (SAD) to us: :class:`PinAuthorizationManager` asks ``credentials/authorize`` with the
user's PIN, pinned to the exact hashes about to be signed when the service requires it
(SCAL 2). A batch of documents needs one authorisation for all its hashes
(:func:`csc_bulk_sign`): every document is prepared first (external.py), the hashes go to the
service together, and each document is finished with its signature value.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import aiohttp
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_noop
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCCredentialInfo,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)
from pyhanko.sign.timestamps import HTTPTimeStamper

from signing.bulk import (
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

DEFAULT_TIMEOUT = 30
SERVICE_DOWN = gettext_noop(
    "Dịch vụ ký số từ xa (CSC) không phản hồi hoặc từ chối yêu cầu. Vui lòng thử lại sau."
)


class PinAuthorizationManager(CSCAuthorizationManager):
    """Gets a SAD from ``credentials/authorize`` with the user's PIN for the given hashes."""

    def __init__(
        self,
        session_info: CSCServiceSessionInfo,
        credential_info: CSCCredentialInfo,
        *,
        http: aiohttp.ClientSession,
        pin: str | None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(session_info, credential_info)
        self.http = http
        self.pin = pin
        self.timeout = timeout
        self.authorizations = 0  # how many times the user's confirmation was spent

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        pinned = self.credential_info.hash_pinning_required
        body = self.format_csc_auth_request(
            num_signatures=len(hash_b64s),
            pin=self.pin,
            hash_b64s=hash_b64s if pinned else None,
        )
        url = self.csc_session_info.endpoint_url("credentials/authorize")
        try:
            async with self.http.post(
                url,
                headers=self.auth_headers,
                json=body,
                raise_for_status=True,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                data = await response.json()
        except aiohttp.ClientResponseError as exc:
            if exc.status in (401, 403):
                raise ValidationError(
                    gettext("Dịch vụ ký số từ xa không chấp nhận mã PIN/OTP."),
                    code="wrong_passphrase",
                ) from exc
            raise SigningError(f"credentials/authorize: HTTP {exc.status}") from exc
        except aiohttp.ClientError as exc:
            raise SigningError("credentials/authorize failed") from exc
        self.authorizations += 1
        return self.parse_csc_auth_response(data)


@asynccontextmanager
async def csc_signer(
    *,
    service_url: str,
    credential_id: str,
    pin: str | None,
    oauth_token: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    prefer_pss: bool = False,
) -> AsyncIterator[CSCSigner]:
    """A CSCSigner for one credential, valid inside the ``async with`` (it owns an HTTP session).

    The certificate and chain come from ``credentials/info``; the PIN is only sent with
    authorisation requests and is never stored.
    """
    info = CSCServiceSessionInfo(
        service_url=service_url.rstrip("/"), credential_id=credential_id, oauth_token=oauth_token
    )
    async with aiohttp.ClientSession() as http:
        try:
            credential = await fetch_certs_in_csc_credential(http, info, timeout=int(timeout))
        except SigningError as exc:
            raise SigningUnavailable(gettext(SERVICE_DOWN)) from exc
        manager = PinAuthorizationManager(info, credential, http=http, pin=pin, timeout=timeout)
        yield CSCSigner(http, manager, sign_timeout=int(timeout), prefer_pss=prefer_pss)


def _hash_b64(prepared: PreparedSignature) -> str:
    return base64.b64encode(prepared.to_be_signed_digest).decode("ascii")


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
    (``bulk.bulk_sign`` does); without it each document meets the cached check."""
    reporter = ProgressReporter(len(items), on_progress)
    results: dict[str, BulkResult] = {}
    prepared: list[tuple[BulkItem, PreparedSignature]] = []
    # External signing stops at B-T; B-LT/B-LTA are added after the signature value arrives.
    signed_level = PadesLevel.B_T if level.needs_revocation_data else level
    for item in items:  # preparing is local CPU work; a bad PDF fails here, alone
        try:
            prepared.append((item, await _prepare(item, signer, signed_level, certificate_status)))
        except Exception as exc:  # isolated per document, as in bulk.py; logged there
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
