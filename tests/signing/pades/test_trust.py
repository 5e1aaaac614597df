"""Trust roots are written by the trust services, whoever asks: the admin's forms only gather
what was typed, and every addition or change leaves an audit entry in the same transaction."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from signing.models import TrustRoot
from signing.pades.trust import trust_root_add, trust_root_update

pytestmark = pytest.mark.django_db


def _root_pem(test_pki) -> bytes:
    return (test_pki.layout.certs / "root.cert.pem").read_bytes()


def test_adding_a_root_in_the_admin_writes_its_audit_entry(admin_client, admin_user, test_pki):
    response = admin_client.post(
        reverse("admin:signing_trustroot_add"),
        {
            "certificate_file": SimpleUploadedFile("root.crt", _root_pem(test_pki)),
            "name": "",
            "enabled": "on",
            "note": "Gốc thử",
        },
    )

    assert response.status_code == 302, response.content.decode()[:800]
    root = TrustRoot.objects.get()
    event = AuditEvent.objects.get(verb="signing.trust_root_added")
    assert event.actor == admin_user
    assert (event.object_type, event.object_id) == ("signing.trustroot", str(root.pk))
    assert event.details["fingerprint_sha256"] == root.fingerprint_sha256
    assert event.details["name"] == root.name == "KyHop Root CA (phát triển)"
    assert event.details["enabled"] is True


def test_changing_a_root_in_the_admin_writes_what_changed(admin_client, admin_user, test_pki):
    root = trust_root_add(actor=None, root=TrustRoot(), certificate=_root_pem(test_pki))

    response = admin_client.post(
        reverse("admin:signing_trustroot_change", args=[root.pk]),
        {"name": root.name, "note": "Ngừng tin cậy để kiểm tra"},  # "enabled" unticked
    )

    assert response.status_code == 302, response.content.decode()[:800]
    root.refresh_from_db()
    assert root.enabled is False
    event = AuditEvent.objects.get(verb="signing.trust_root_changed")
    assert event.actor == admin_user
    assert event.details["changes"] == {
        "enabled": [True, False],
        "note": ["", "Ngừng tin cậy để kiểm tra"],
    }


def test_a_root_that_does_not_validate_is_neither_stored_nor_audited(test_pki):
    with pytest.raises(ValidationError):
        trust_root_add(actor=None, root=TrustRoot(name="x" * 201), certificate=_root_pem(test_pki))

    assert not TrustRoot.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="signing.trust_root").exists()


def test_saving_a_root_unchanged_writes_nothing(test_pki):
    root = trust_root_add(actor=None, root=TrustRoot(), certificate=_root_pem(test_pki))

    trust_root_update(actor=None, root=TrustRoot.objects.get(pk=root.pk))

    assert not AuditEvent.objects.filter(verb="signing.trust_root_changed").exists()
