"""Trust roots for validation: the administrator's ``TrustRoot`` rows, never the OS store.

In production the administrator registers the national root CA (NEAC) and the Government CA
in the admin. In development and the demo, when no root has been registered at all, the
development PKI's root is used so that documents signed by the platform validate out of the box
(``manage.py trust_add_dev_root`` registers it for real, so it shows in the admin).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from signing import devpki
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


def certificate_facts(data: bytes) -> dict[str, object]:
    """What a TrustRoot row records about a PEM or DER certificate (ValidationError if not one).

    The fingerprint is computed here, never typed in: it is what the administrator compares
    with the one the CA publishes before trusting the file.
    """
    cert = load_certificate(data)
    der = cert.dump()
    subject = cert.subject.human_friendly
    return {
        "name": str(cert.subject.native.get("common_name", subject))[:200],
        "certificate": der,
        "subject": subject[:500],
        "fingerprint_sha256": _fingerprint(der),
        "not_after": cert.not_valid_after.astimezone(UTC),
    }


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
    root = devpki.trust_roots(settings.KYHOP_PKI_DIR)[0]
    # The note is stored on the row, read by every administrator: Vietnamese.
    return trust_root_register(
        certificate=root.dump(), note="Gốc của PKI phát triển — chỉ dùng cho bản demo."
    )
