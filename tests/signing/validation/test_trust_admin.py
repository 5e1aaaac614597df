"""Trust roots in the admin: added from a PEM or DER file, the SHA-256
fingerprint computed from it and shown grouped as CAs publish it."""

from __future__ import annotations

import hashlib

import pytest
from asn1crypto import pem
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from signing.models import TrustRoot

pytestmark = pytest.mark.django_db


def _root_pem(test_pki) -> bytes:
    return (test_pki.layout.certs / "root.cert.pem").read_bytes()


def _add(admin_client, data: bytes, name: str = ""):
    return admin_client.post(
        reverse("admin:signing_trustroot_add"),
        {
            "certificate_file": SimpleUploadedFile("root.crt", data),
            "name": name,
            "enabled": "on",
            "note": "",
        },
    )


@pytest.mark.parametrize("encoding", ["pem", "der"])
def test_admin_adds_a_root_from_its_file_and_shows_the_fingerprint(
    admin_client, test_pki, encoding
):
    data = _root_pem(test_pki)
    der = pem.unarmor(data)[2]
    response = _add(admin_client, data if encoding == "pem" else der)
    assert response.status_code == 302, response.content.decode()[:800]
    root = TrustRoot.objects.get()
    assert root.fingerprint_sha256 == hashlib.sha256(der).hexdigest()
    assert root.name == "KyHop Root CA (phát triển)"
    assert bytes(root.certificate) == der
    assert root.not_after.year == 2050
    grouped = ":".join(root.fingerprint_sha256.upper()[i : i + 2] for i in range(0, 64, 2))
    listing = admin_client.get(reverse("admin:signing_trustroot_changelist")).content.decode()
    assert grouped in listing and root.subject in listing
    change = admin_client.get(reverse("admin:signing_trustroot_change", args=[root.pk]))
    assert grouped in change.content.decode()


def test_admin_refuses_a_duplicate_or_a_file_that_is_not_a_certificate(admin_client, test_pki):
    assert _add(admin_client, _root_pem(test_pki)).status_code == 302
    duplicate = _add(admin_client, _root_pem(test_pki))
    assert duplicate.status_code == 200
    assert "đã có trong danh sách" in duplicate.content.decode()
    garbage = _add(admin_client, b"not a certificate")
    assert "không phải chứng thư X.509" in garbage.content.decode()
    assert TrustRoot.objects.count() == 1
