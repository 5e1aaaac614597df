"""Identities: PKCS#12 import, signer cache, and the demo sync command."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from accounts.services import body_create, user_create
from signing.backends.identities import identity_import_pkcs12, identity_signer
from signing.models import SigningIdentity

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
