"""PKCS#11 key backend: keys on a token or HSM (SoftHSM2 in tests), used through pyHanko.

The PIN is checked by the token itself (C_Login), never by us. A logged-in session is kept per
token so a batch of signatures does not log in again for each document; but the cache is
keyed by an HMAC of the PIN, so a different PIN always goes back to the token: a cached
session must never turn a wrong PIN into a signature.

SoftHSM 2.6 has no CKM_ECDSA_SHA256, so EC keys are used with pyHanko's raw mechanism (the
hash is computed here and the token signs the digest); RSA keys use the token's
hash-and-sign mechanisms (RSASSA-PSS by default, as Circular 15/2025 prefers).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import pkcs11.exceptions as p11_errors
from django.core.exceptions import ValidationError
from pkcs11 import Session
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign.general import SigningError
from pyhanko.sign.pkcs11 import PKCS11Error, PKCS11Signer, open_pkcs11_session

from signing.i18n import gettext

logger = logging.getLogger(__name__)

WRONG_PIN_ERRORS = (p11_errors.PinIncorrect, p11_errors.PinLenRange, p11_errors.PinInvalid)


@dataclass(frozen=True)
class Pkcs11Location:
    """Where an identity's key lives: the module (.so), the token and the key's label.

    The certificate is stored on the token under the same label as the key, as token
    initialisation tools (and our SoftHSM fixture) do.
    """

    module: str
    token_label: str
    key_label: str


def location_from_identity(identity: str) -> Pkcs11Location:
    """The location recorded on the SigningIdentity called *identity* (kind PKCS#11)."""
    from signing.models import IdentityKind, SigningIdentity  # models need the app registry

    try:
        row = SigningIdentity.objects.get(name=identity, kind=IdentityKind.PKCS11, is_active=True)
    except SigningIdentity.DoesNotExist as exc:
        raise ValidationError(
            gettext("Không tìm thấy khóa ký “%(identity)s” trên token.") % {"identity": identity},
            code="unknown_identity",
        ) from exc
    return Pkcs11Location(
        module=row.pkcs11_module, token_label=row.pkcs11_token_label, key_label=row.pkcs11_key_label
    )


@dataclass
class _TokenSession:
    pin_mac: str
    session: Session
    signers: dict[str, PKCS11Signer] = field(default_factory=dict)


def _is_ec(signer: PKCS11Signer) -> bool:
    return signer.signing_cert.public_key.algorithm == "ec"


class Pkcs11KeyBackend:
    """Gives a pyHanko PKCS11Signer for an identity, after the token has accepted the PIN."""

    def __init__(
        self,
        locate: Callable[[str], Pkcs11Location] = location_from_identity,
        *,
        prefer_pss: bool = True,
    ) -> None:
        self.locate = locate
        self.prefer_pss = prefer_pss
        self._tokens: dict[tuple[str, str], _TokenSession] = {}
        self._lock = threading.Lock()
        self._salt = secrets.token_bytes(32)

    def _pin_mac(self, pin: str) -> str:
        return hmac.new(self._salt, pin.encode("utf-8"), hashlib.sha256).hexdigest()

    def signer(self, *, identity: str, passphrase: str) -> PKCS11Signer:
        where = self.locate(identity)
        with self._lock:
            token = self._token_session(where, passphrase)
            signer = token.signers.get(where.key_label)
            if signer is None:
                signer = self._load_signer(token.session, where)
                token.signers[where.key_label] = signer
            return signer

    def _token_session(self, where: Pkcs11Location, pin: str) -> _TokenSession:
        key = (where.module, where.token_label)
        mac = self._pin_mac(pin)
        cached = self._tokens.get(key)
        if cached is not None and hmac.compare_digest(cached.pin_mac, mac):
            return cached
        if cached is not None:
            # Closing the last session logs the token out, so the new PIN is really checked.
            del self._tokens[key]
            cached.session.close()
        token = _TokenSession(pin_mac=mac, session=_open(where, pin))
        self._tokens[key] = token
        return token

    def _load_signer(self, session: Session, where: Pkcs11Location) -> PKCS11Signer:
        signer = PKCS11Signer(
            session,
            key_label=where.key_label,
            cert_label=where.key_label,
            other_certs_to_pull=None,  # the chain, if the token carries it
            prefer_pss=self.prefer_pss,
        )
        try:
            ec = _is_ec(signer)  # loads the certificate and key handle now, not mid-signature
        except (PKCS11Error, SigningError, p11_errors.PKCS11Error) as exc:
            raise ValidationError(
                gettext("Không tìm thấy khóa hoặc chứng thư “%(key)s” trên token “%(token)s”.")
                % {"key": where.key_label, "token": where.token_label},
                code="key_not_on_token",
            ) from exc
        if ec:
            # SoftHSM (and several real tokens) lack CKM_ECDSA_SHA256: hash here, sign raw.
            signer.use_raw_mechanism = True
            signer.prefer_pss = False
        return signer

    def close(self) -> None:
        """Log out of every token (closing the sessions); signers handed out stop working."""
        with self._lock:
            for token in self._tokens.values():
                token.session.close()
            self._tokens.clear()


def _open(where: Pkcs11Location, pin: str) -> Session:
    try:
        return open_pkcs11_session(
            where.module, token_criteria=TokenCriteria(label=where.token_label), user_pin=pin
        )
    except WRONG_PIN_ERRORS as exc:
        raise ValidationError(
            gettext("Mã PIN của token “%(token)s” không đúng.") % {"token": where.token_label},
            code="wrong_passphrase",
        ) from exc
    except p11_errors.PinLocked as exc:
        raise ValidationError(
            gettext(
                "Token “%(token)s” đã bị khóa do nhập sai mã PIN quá số lần cho phép. "
                "Hãy liên hệ người quản lý token để mở khóa."
            )
            % {"token": where.token_label},
            code="pin_locked",
        ) from exc
    except (PKCS11Error, p11_errors.PKCS11Error, OSError) as exc:
        # No such token, a module that does not load, a token that stopped answering: the
        # signer can only check the same three things, so one message; the detail is logged.
        logger.warning("Không mở được token %s (%s): %s", where.token_label, where.module, exc)
        raise ValidationError(
            gettext(
                "Không mở được token “%(token)s”. Hãy kiểm tra token đã được cắm, "
                "đúng nhãn token và đúng thư viện PKCS#11."
            )
            % {"token": where.token_label},
            code="token_unavailable",
        ) from exc
