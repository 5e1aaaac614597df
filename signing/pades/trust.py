"""Trust roots for validation: the administrator's ``TrustRoot`` rows, never the OS store.

In production the administrator registers the national root CA (NEAC) and the Government CA
in the admin. In development and the demo, when no root has been registered at all, the
development PKI's root is used so that documents signed by the platform validate out of the box
(``manage.py trust_add_dev_root`` registers it for real, so it shows in the admin).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypedDict

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from accounts.models import User
from audit.services import audit_record
from signing.models import TrustRoot


@dataclass(frozen=True)
class Anchor:
    name: str
    der: bytes


def _fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def _dev_root_anchor() -> Anchor | None:
    if settings.PRODUCTION:
        return None
    # The development PKI (certomancer) is imported only where it is used: this module is
    # loaded by every process (the admin's), and certomancer is a fifth of a start-up.
    from signing import devpki

    try:
        root = devpki.trust_roots(settings.KYHOP_PKI_DIR)[0]
    except (OSError, IndexError):
        return None  # no development PKI made yet: nothing is trusted, and the report says so
    return Anchor(name=root.subject.native.get("common_name", "Dev root"), der=root.dump())


def trust_anchors() -> list[Anchor]:
    """Enabled roots; the development root only when no root was ever registered."""
    if TrustRoot.objects.exists():
        rows = TrustRoot.objects.filter(enabled=True).order_by("name")
        return [Anchor(name=row.name, der=bytes(row.certificate)) for row in rows]
    dev = _dev_root_anchor()
    return [dev] if dev else []


def load_certificate(data: bytes) -> asn1_x509.Certificate:
    """A certificate from PEM or DER bytes, or a ValidationError (in the active language)."""
    if pem.detect(data):
        data = pem.unarmor(data)[2]
    try:
        cert = asn1_x509.Certificate.load(data)
        cert.native  # noqa: B018 - asn1crypto parses lazily; force it to fail here
    except ValueError as exc:
        raise ValidationError(gettext("Tệp không phải chứng thư X.509 (PEM hoặc DER).")) from exc
    return cert


class CertificateFacts(TypedDict):
    """A TrustRoot row's fields that come from its certificate."""

    name: str
    certificate: bytes
    subject: str
    fingerprint_sha256: str
    not_after: datetime


def certificate_facts(data: bytes) -> CertificateFacts:
    """What a TrustRoot row records about a PEM or DER certificate (ValidationError if not one).

    The fingerprint is computed here, never typed in: it is what the administrator compares
    with the one the CA publishes before trusting the file.
    """
    cert = load_certificate(data)
    der = cert.dump()
    subject = cert.subject.human_friendly
    return CertificateFacts(
        name=str(cert.subject.native.get("common_name", subject))[:200],
        certificate=der,
        subject=subject[:500],
        fingerprint_sha256=_fingerprint(der),
        not_after=cert.not_valid_after.astimezone(UTC),
    )


# What the administrator may change on a trusted root; the certificate facts never change.
EDITABLE = ("name", "enabled", "note")


@transaction.atomic
def trust_root_add(*, actor: User | None, root: TrustRoot, certificate: bytes) -> TrustRoot:
    """Trust a new root: *root* is the row as the administrator filled it in (name, enabled,
    note); subject, expiry and fingerprint are read from *certificate* (PEM or DER), never
    typed in. An unnamed root takes the certificate's common name."""
    facts = certificate_facts(certificate)
    name = root.name or facts["name"]
    for field, value in facts.items():
        setattr(root, field, value)
    root.name = name
    root.full_clean()
    root.save()
    audit_record(
        actor=actor,
        verb="signing.trust_root_added",
        target=root,
        details={
            "name": root.name,
            "subject": root.subject,
            "fingerprint_sha256": root.fingerprint_sha256,
            "enabled": root.enabled,
        },
    )
    return root


@transaction.atomic
def trust_root_update(*, actor: User | None, root: TrustRoot) -> TrustRoot:
    """Store the administrator's changes to *root*'s name, trust (``enabled``) and note, with
    an audit entry naming each change; its certificate facts are kept as stored."""
    stored = TrustRoot.objects.select_for_update().get(pk=root.pk)
    changes = {
        field: [getattr(stored, field), getattr(root, field)]
        for field in EDITABLE
        if getattr(stored, field) != getattr(root, field)
    }
    if not changes:
        return stored
    for field in changes:
        setattr(stored, field, getattr(root, field))
    stored.full_clean()
    stored.save(update_fields=list(changes))
    audit_record(
        actor=actor,
        verb="signing.trust_root_changed",
        target=stored,
        details={"fingerprint_sha256": stored.fingerprint_sha256, "changes": changes},
    )
    return stored


@transaction.atomic
def trust_root_register(*, certificate: bytes, name: str = "", note: str = "") -> TrustRoot:
    """Register (or re-enable) a root; idempotent on the certificate's SHA-256 fingerprint."""
    cert = load_certificate(certificate)
    der = cert.dump()
    subject = cert.subject.human_friendly
    root, _created = TrustRoot.objects.update_or_create(
        fingerprint_sha256=_fingerprint(der),
        defaults={
            "name": name or cert.subject.native.get("common_name", subject)[:200],
            "certificate": der,
            "subject": subject[:500],
            "not_after": cert.not_valid_after.astimezone(UTC),
            "enabled": True,
            "note": note[:500],
        },
    )
    root.full_clean()
    return root


def trust_root_register_dev() -> TrustRoot:
    from signing import devpki

    root = devpki.trust_roots(settings.KYHOP_PKI_DIR)[0]
    # The note is stored on the row, read by every administrator: Vietnamese.
    return trust_root_register(
        certificate=root.dump(), note="Gốc của PKI phát triển — chỉ dùng cho bản demo."
    )
