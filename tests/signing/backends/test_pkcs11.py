"""PKCS#11 signing against a real SoftHSM2 token initialised for this test session (see
conftest.py for what the token holds)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from signing import devpki
from signing.backends.pkcs11 import Pkcs11KeyBackend, Pkcs11Location
from signing.pades.sign import PadesLevel, async_sign_pdf_bytes
from tests.signing.backends.helpers import MODULE, PIN, TOKEN
from tests.signing.helpers import REVOKED

pytestmark = [
    pytest.mark.usefixtures("pki_settings"),
    pytest.mark.skipif(not Path(MODULE).exists(), reason="SoftHSM2 chưa được cài"),
]


async def _status(data: bytes, test_pki):
    context = ValidationContext(
        trust_roots=devpki.trust_roots(test_pki.directory),
        allow_fetching=True,
        revocation_mode="hard-fail",
    )
    try:
        reader = PdfFileReader(io.BytesIO(data))
        return await async_validate_pdf_signature(reader.embedded_signatures[0], context)
    finally:
        await context.aclose()


@pytest.fixture
def backend(softhsm_token) -> Iterator[Pkcs11KeyBackend]:
    backend = softhsm_token.backend()
    yield backend
    backend.close()


@pytest.mark.parametrize("level", [PadesLevel.B_B, PadesLevel.B_T])
@pytest.mark.parametrize(
    ("identity", "mechanism"), [("chutich", "rsassa_pss"), ("ec-signer", "sha256_ecdsa")]
)
async def test_a_key_on_the_token_signs_a_pdf_that_validates(
    backend, test_pki, pdf_bytes, level, identity, mechanism
):
    signer = backend.signer(identity=identity, passphrase=PIN)
    signed = await async_sign_pdf_bytes(data=pdf_bytes, signer=signer, level=level)
    status = await _status(signed, test_pki)
    assert status.intact and status.valid and status.trusted
    assert status.md_algorithm == "sha256"
    assert status.pkcs7_signature_mechanism == mechanism
    if level is PadesLevel.B_T:
        assert status.timestamp_validity is not None and status.timestamp_validity.valid


def test_the_chain_comes_from_the_token(backend):
    signer = backend.signer(identity="chutich", passphrase=PIN)
    subjects = {cert.subject.native["common_name"] for cert in signer.cert_registry}
    assert "KyHop CA cấp 2 (phát triển)" in subjects


def test_a_wrong_pin_is_refused_in_vietnamese(backend):
    with pytest.raises(ValidationError) as caught:
        backend.signer(identity="chutich", passphrase="000000")
    assert caught.value.code == "wrong_passphrase"
    assert caught.value.messages == ["Mã PIN của token “kyhop-test” không đúng."]


def test_a_cached_session_does_not_let_a_wrong_pin_through(backend):
    assert backend.signer(identity="chutich", passphrase=PIN) is backend.signer(
        identity="chutich", passphrase=PIN
    )
    with pytest.raises(ValidationError) as caught:
        backend.signer(identity="chutich", passphrase="999999")
    assert caught.value.code == "wrong_passphrase"
    backend.signer(identity="chutich", passphrase=PIN)  # and the right one still works


def test_a_key_missing_from_the_token_is_named(backend):
    with pytest.raises(ValidationError) as caught:
        backend.signer(identity="missing", passphrase=PIN)
    assert caught.value.code == "key_not_on_token"
    assert "“missing”" in caught.value.messages[0]


def test_an_unknown_token_is_reported(softhsm_token):
    backend = Pkcs11KeyBackend(
        lambda _name: Pkcs11Location(module=MODULE, token_label="no-such-token", key_label="x")
    )
    with pytest.raises(ValidationError) as caught:
        backend.signer(identity="x", passphrase=PIN)
    assert caught.value.code == "token_unavailable"


@pytest.mark.django_db
def test_the_default_backend_reads_the_location_from_the_signing_identity(
    softhsm_token, test_pki, django_user_model
):
    from signing.models import IdentityKind, SigningIdentity

    cert = devpki.read_certificate(test_pki.directory, "chutich")
    user = django_user_model.objects.create_user(username="hung", password="x")
    SigningIdentity.objects.create(
        name="hung-token",
        kind=IdentityKind.PKCS11,
        owner_user=user,
        certificate=cert.dump(),
        subject="Nguyễn Văn Hùng",
        issuer="KyHop CA cấp 2",
        serial=str(cert.serial_number),
        fingerprint_sha256=cert.sha256.hex(),
        not_before=cert.not_valid_before,
        not_after=cert.not_valid_after,
        pkcs11_module=MODULE,
        pkcs11_token_label=TOKEN,
        pkcs11_key_label="chutich",
    )
    backend = Pkcs11KeyBackend()
    try:
        signer = backend.signer(identity="hung-token", passphrase=PIN)
        assert signer.signing_cert.dump() == cert.dump()
    finally:
        backend.close()


@pytest.mark.parametrize("level", [PadesLevel.B_B, PadesLevel.B_T])
async def test_a_revoked_certificate_on_the_token_cannot_sign(backend, pdf_bytes, level):
    signer = backend.signer(identity=REVOKED, passphrase=PIN)
    with pytest.raises(ValidationError) as caught:
        await async_sign_pdf_bytes(data=pdf_bytes, signer=signer, level=level)
    assert caught.value.code == "certificate_revoked"
    assert "đã bị thu hồi" in caught.value.messages[0]
