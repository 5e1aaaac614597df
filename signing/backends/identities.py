"""Signing identities stored in the database: import a PKCS#12, get its signer, set its image.

The PKCS#12 is kept as the passphrase-encrypted bytes it arrived in; the passphrase is checked
at import (it must open the file) and asked again at every signature, never stored. Parsed
signers are cached by ``signing.backends.pkcs12`` (per identity, file content and an HMAC of the
passphrase), so a signer signing many documents pays for PBKDF2 and key parsing once.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from pyhanko.sign.signers import Signer

from accounts.models import Body, Membership, Role, User, nfc
from audit.services import audit_record
from signing.backends.csc import csc_signer
from signing.backends.pkcs11 import Pkcs11KeyBackend, Pkcs11Location
from signing.backends.pkcs12 import signer_cache, signer_from_pkcs12
from signing.models import IdentityKind, SigningIdentity
from signing.pades import appearances
from signing.pades.certcheck import as_cryptography, certificate_check

PKCS12_MAX_BYTES = 64 * 1024
# Who may set a body's seal image or import its seal certificate.
SEAL_KEEPER_ROLES = (Role.CLERK, Role.CHAIR)


def _name_text(name: x509.Name) -> str:
    return nfc(name.rfc4514_string())[:500]


def _certificate_fields(cert: x509.Certificate) -> dict[str, object]:
    der = cert.public_bytes(serialization.Encoding.DER)
    return {
        "certificate": der,
        "subject": _name_text(cert.subject),
        "issuer": _name_text(cert.issuer),
        "serial": format(cert.serial_number, "x")[:100],
        "fingerprint_sha256": hashlib.sha256(der).hexdigest(),
        "not_before": cert.not_valid_before_utc,
        "not_after": cert.not_valid_after_utc,
    }


def _check_owner(owner_user: User | None, owner_body: Body | None) -> None:
    if (owner_user is None) == (owner_body is None):
        raise ValidationError(gettext("Chứng thư phải thuộc về đúng một người hoặc một cơ quan."))


def may_manage_identity(
    actor: User | None, *, owner_user: User | None, owner_body: Body | None
) -> bool:
    """A person manages their own; a body's clerk or chair its seal; administrators any."""
    if actor is None or actor.is_superuser:
        return True  # None: the system itself (management commands)
    if owner_user is not None:
        return owner_user.pk == actor.pk
    return Membership.objects.filter(
        user=actor, body=owner_body, role__in=SEAL_KEEPER_ROLES
    ).exists()


@transaction.atomic
def identity_import_pkcs12(
    *,
    actor: User | None,
    name: str,
    pkcs12_bytes: bytes,
    passphrase: str,
    owner_user: User | None = None,
    owner_body: Body | None = None,
    signature_image: bytes | None = None,
) -> SigningIdentity:
    """Store a PKCS#12 identity after checking that *passphrase* opens it and that its
    certificate may sign (Circular 15/2025). Re-importing the same name replaces the file."""
    _check_owner(owner_user, owner_body)
    if not may_manage_identity(actor, owner_user=owner_user, owner_body=owner_body):
        raise PermissionDenied(
            gettext("Bạn không có quyền thêm chứng thư ký số cho người hoặc cơ quan này.")
        )
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,99}", name):
        raise ValidationError(
            gettext("Mã định danh chỉ gồm chữ thường không dấu, số, “.”, “_”, “-”.")
        )
    if len(pkcs12_bytes) > PKCS12_MAX_BYTES:
        raise ValidationError(gettext("Tệp PKCS#12 quá lớn."))
    signer = signer_from_pkcs12(data=pkcs12_bytes, passphrase=passphrase, identity=name)
    cert = as_cryptography(signer.signing_cert)
    certificate_check(certificate=cert)
    identity = SigningIdentity.objects.filter(name=name).first() or SigningIdentity(name=name)
    for field, value in _certificate_fields(cert).items():
        setattr(identity, field, value)
    identity.kind = IdentityKind.PKCS12
    identity.owner_user, identity.owner_body = owner_user, owner_body
    identity.pkcs12 = pkcs12_bytes
    identity.is_active = True
    if signature_image is not None:
        appearances.signature_image_check(signature_image)
        identity.signature_image = signature_image
    identity.full_clean()
    identity.save()
    audit_record(
        actor=actor,
        verb="signing.identity_imported",
        target=identity,
        details={
            "name": name,
            "subject": identity.subject,
            "fingerprint_sha256": identity.fingerprint_sha256,
            "owner_user": owner_user.pk if owner_user else None,
            "owner_body": owner_body.code if owner_body else None,
        },
    )
    return identity


def identity_signer(*, identity: SigningIdentity, passphrase: str) -> Signer:
    """The pyHanko signer of an identity the server can sign with by itself: a PKCS#12 it
    holds, or a key on a PKCS#11 token or HSM. A wrong passphrase or PIN is a ValidationError.

    A CSC identity needs an open HTTP session to its service, so it is only available inside
    :func:`identity_signing`; an external identity signs elsewhere (upload of a signature).
    """
    if not identity.is_active:
        raise ValidationError(
            gettext("Chứng thư “%(name)s” đã ngừng sử dụng.") % {"name": identity.name},
            code="inactive",
        )
    if identity.kind == IdentityKind.PKCS11:
        # The location comes from this row, not from a query in the backend: this may run
        # inside an event loop (bulk signing), where the ORM must not be called.
        _pkcs11_locations[identity.name] = Pkcs11Location(
            module=identity.pkcs11_module,
            token_label=identity.pkcs11_token_label,
            key_label=identity.pkcs11_key_label,
        )
        return pkcs11_backend().signer(identity=identity.name, passphrase=passphrase)
    if identity.kind != IdentityKind.PKCS12 or not identity.pkcs12:
        raise ValidationError(
            gettext("Chứng thư “%(name)s” (%(kind)s) không ký trực tiếp trên máy chủ được.")
            % {"name": identity.name, "kind": gettext(identity.get_kind_display())},
            code="not_server_signable",
        )
    data = bytes(identity.pkcs12)
    # "db:" keeps these entries apart from the file-based backend's ones of the same name;
    # "|pss": RSASSA-PSS, as Circular 15/2025 asks (same choice as Pkcs12KeyBackend).
    key = signer_cache.key(identity=f"db:{identity.name}|pss", data=data, passphrase=passphrase)
    cached = signer_cache.get(key)
    if cached is not None:
        return cached
    signer = signer_from_pkcs12(
        data=data, passphrase=passphrase, identity=identity.name, prefer_pss=True
    )
    signer_cache.put(key, signer)
    return signer


_pkcs11: Pkcs11KeyBackend | None = None
_pkcs11_lock = threading.Lock()
_pkcs11_locations: dict[str, Pkcs11Location] = {}


def pkcs11_backend() -> Pkcs11KeyBackend:
    """The process's PKCS#11 backend: one logged-in session per token, shared by every
    signature (logging in per document would cost a C_Login and a key search each time)."""
    global _pkcs11
    with _pkcs11_lock:
        if _pkcs11 is None:
            _pkcs11 = Pkcs11KeyBackend(_pkcs11_locations.__getitem__)
        return _pkcs11


@asynccontextmanager
async def identity_signing(*, identity: SigningIdentity, passphrase: str) -> AsyncIterator[Signer]:
    """The signer of any identity the server can drive (PKCS#12, PKCS#11, CSC), valid inside
    the ``async with``. For CSC the passphrase is the PIN/OTP sent with the authorisation
    request: it is checked by the service when the first hashes are authorised."""
    if identity.kind == IdentityKind.CSC and identity.is_active:
        async with csc_signer(
            service_url=identity.csc_service_url,
            credential_id=identity.csc_credential_id,
            pin=passphrase,
        ) as signer:
            yield signer
        return
    yield identity_signer(identity=identity, passphrase=passphrase)


@transaction.atomic
def identity_image_set(*, actor: User, identity: SigningIdentity, image: bytes) -> SigningIdentity:
    """Set the signature (person) or seal (body) image: a transparent PNG within limits."""
    if not may_manage_identity(
        actor, owner_user=identity.owner_user, owner_body=identity.owner_body
    ):
        raise PermissionDenied(gettext("Bạn không có quyền thay ảnh chữ ký của chứng thư này."))
    appearances.signature_image_check(image)
    identity = SigningIdentity.objects.select_for_update().get(pk=identity.pk)
    identity.signature_image = image
    identity.save(update_fields=["signature_image"])
    audit_record(
        actor=actor,
        verb="signing.identity_image_set",
        target=identity,
        details={"sha256": hashlib.sha256(image).hexdigest(), "size": len(image)},
    )
    return identity


def identities_of(user: User) -> QuerySet[SigningIdentity]:
    """The identities *user* may open: their own, and those of the bodies they belong to (who
    may change them is :func:`may_manage_identity`'s rule)."""
    return SigningIdentity.objects.filter(
        Q(owner_user=user) | Q(owner_body__memberships__user=user)
    ).distinct()


def identity_for_user(user: User) -> SigningIdentity | None:
    return (
        SigningIdentity.objects.filter(owner_user=user, is_active=True)
        .order_by("-created_at")
        .first()
    )


def identity_for_body(body: Body) -> SigningIdentity | None:
    return (
        SigningIdentity.objects.filter(owner_body=body, is_active=True)
        .order_by("-created_at")
        .first()
    )
