"""Identities: PKCS#12 import, signer cache, the demo sync command, the image screen."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from accounts.services import body_create, user_create
from audit.models import AuditEvent
from signing.backends.identities import identity_import_pkcs12, identity_signer
from signing.models import SigningIdentity
from signing.pades import appearances

pytestmark = pytest.mark.django_db


def test_import_checks_the_passphrase_and_never_stores_it(pki_settings):
    user = user_create(actor=None, username="chutich", full_name="Nguyễn Văn Hùng", password="x")
    data = pki_settings.layout.identity_file("chutich").read_bytes()
    with pytest.raises(ValidationError, match="Mật khẩu"):
        identity_import_pkcs12(
            actor=None, name="chutich", pkcs12_bytes=data, passphrase="sai", owner_user=user
        )
    identity = identity_import_pkcs12(
        actor=None,
        name="chutich",
        pkcs12_bytes=data,
        passphrase=pki_settings.passphrase,
        owner_user=user,
    )
    assert "Nguyễn Văn Hùng" in identity.subject
    stored = b"".join(
        bytes(v or b"") for v in SigningIdentity.objects.values_list("pkcs12", "certificate").get()
    )
    assert pki_settings.passphrase.encode() not in stored
    first = identity_signer(identity=identity, passphrase=pki_settings.passphrase)
    assert identity_signer(identity=identity, passphrase=pki_settings.passphrase) is first


def test_sync_dev_imports_demo_identities_once_with_images(pki_settings):
    user_create(actor=None, username="chutich", full_name="Nguyễn Văn Hùng", password="x")
    body_create(actor=None, code="ubnd-tinh", name="Ủy ban nhân dân tỉnh Bắc Ninh", symbol="UBND")
    call_command("identities_sync_dev")
    names = set(SigningIdentity.objects.values_list("name", flat=True))
    assert names == {"chutich", "ubnd-tinh"}
    assert all(SigningIdentity.objects.values_list("signature_image", flat=True))
    before = list(SigningIdentity.objects.values_list("pk", "fingerprint_sha256"))
    call_command("identities_sync_dev")
    assert list(SigningIdentity.objects.values_list("pk", "fingerprint_sha256")) == before


def test_a_signer_replaces_their_image_on_the_screen_and_nobody_else_sees_it(client, province):
    identity = SigningIdentity.objects.get(owner_user=province.chair)
    url = reverse("signing:identity_image", args=[identity.pk])
    image = appearances.signature_scribble_png("Hùng")
    client.force_login(province.chair)
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("chu-ky.png", image, content_type="image/png")
    response = client.post(url, {"image": upload})
    assert response.status_code == 302
    identity.refresh_from_db()
    assert bytes(identity.signature_image) == image
    assert AuditEvent.objects.filter(verb="signing.identity_image_set").count() == 1
    refused = client.post(url, {"image": SimpleUploadedFile("x.png", b"not a png")})
    assert refused.status_code == 400
    client.force_login(province.outsider)
    assert client.get(url).status_code == 404
