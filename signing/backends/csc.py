"""Remote signing through the Cloud Signature Consortium API v1 (tested with certomancer's
CSC dummy service).

pyHanko's CSCSigner calls ``signatures/signHash`` but leaves getting the Signature Activation
Data (SAD) to us: :class:`PinAuthorizationManager` asks ``credentials/authorize`` with the
user's PIN, pinned to the exact hashes about to be signed when the service requires it
(SCAL 2). A batch of documents needs one authorisation for all its hashes: that is
``signing.bulk.csc.csc_bulk_sign``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
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

from signing.i18n import gettext
from signing.pades.sign import (
    SigningUnavailable,
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
