"""A workflow step signed with a key on a PKCS#11 token (SoftHSM2) and through a CSC service,
one by one and in bulk: the request flow does not care where the key lives."""

from __future__ import annotations

import io
from functools import cache

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from documents.storage import blob_open
from signing import devpki
from signing.bulk.services import steps_sign_bulk
from signing.models import IdentityKind, SigningIdentity, StepKind
from signing.selectors import waiting_for
from signing.services import AssigneeSpec, StepSpec, request_create, request_send, step_sign
from tests.signing.backends.helpers import MODULE, PIN, TOKEN
from tests.signing.helpers import register, to_trinh

pytestmark = pytest.mark.django_db


@cache
def _pdf() -> bytes:
    return to_trinh()[0]


def _identity(world, test_pki, kind: str, **where) -> SigningIdentity:
    """The chair's certificate, now held by a token or a remote service instead of a file."""
    SigningIdentity.objects.filter(owner_user=world.chair).update(is_active=False)
    cert = devpki.read_certificate(test_pki.directory, "chutich")
    return SigningIdentity.objects.create(
        name=f"chutich-{kind}",
        kind=kind,
        owner_user=world.chair,
        certificate=cert.dump(),
        subject="Nguyễn Văn Hùng",
        issuer="KyHop CA cấp 2",
        serial=str(cert.serial_number),
        fingerprint_sha256=cert.sha256.hex(),
        not_before=cert.not_valid_before,
        not_after=cert.not_valid_after,
        **where,
    )


def _sent(world, level: str):
    version = register(world, _pdf())
    steps = [StepSpec(StepKind.MAIN, (AssigneeSpec(user=world.chair),))]
    request = request_create(actor=world.clerk, version=version, steps=steps, level=level)
    return request_send(actor=world.clerk, request=request)


def _data(request) -> bytes:
    request.refresh_from_db()
    with blob_open(request.current_version.blob.storage_name) as handle:
        return handle.read()


def _valid(request, test_pki) -> bool:
    data = _data(request)
    context = ValidationContext(
        trust_roots=devpki.trust_roots(test_pki.directory), allow_fetching=True
    )
    signature = PdfFileReader(io.BytesIO(data)).embedded_regular_signatures[-1]
    status = validate_pdf_signature(signature, context)
    return bool(status.intact and status.valid and status.trusted)


def test_a_step_is_signed_with_the_key_on_a_pkcs11_token(province, softhsm_token, pki_settings):
    _identity(
        province,
        pki_settings,
        IdentityKind.PKCS11,
        pkcs11_module=MODULE,
        pkcs11_token_label=TOKEN,
        pkcs11_key_label="chutich",
    )
    alone = _sent(province, "B-T")
    step_sign(
        actor=province.chair,
        assignee=waiting_for(province.chair).get(step__request=alone),
        passphrase=PIN,
    )
    assert _valid(alone, pki_settings)
    batch = [_sent(province, "B-T") for _ in range(2)]
    outcomes = steps_sign_bulk(
        actor=province.chair,
        assignees=list(waiting_for(province.chair)),
        passphrase=PIN,
    )
    assert [o.ok for o in outcomes] == [True, True]
    assert all(_valid(request, pki_settings) for request in batch)


def test_a_wrong_token_pin_signs_nothing(province, softhsm_token, pki_settings):
    from django.core.exceptions import ValidationError

    _identity(
        province,
        pki_settings,
        IdentityKind.PKCS11,
        pkcs11_module=MODULE,
        pkcs11_token_label=TOKEN,
        pkcs11_key_label="chutich",
    )
    _sent(province, "B-B")
    with pytest.raises(ValidationError) as caught:
        steps_sign_bulk(
            actor=province.chair, assignees=list(waiting_for(province.chair)), passphrase="000000"
        )
    assert "PIN" in " ".join(caught.value.messages)


def test_steps_are_signed_through_csc_with_one_authorisation_for_the_batch(
    province, csc_service, pki_settings
):
    _identity(
        province,
        pki_settings,
        IdentityKind.CSC,
        csc_service_url=csc_service.url,
        csc_credential_id=csc_service.credential("chutich"),
    )
    alone = _sent(province, "B-T")
    step_sign(
        actor=province.chair,
        assignee=waiting_for(province.chair).get(step__request=alone),
        passphrase="1234",
    )
    assert _valid(alone, pki_settings)
    # B-LTA, the default for issued documents: the CSC signature is made at B-T and the batch
    # then adds the revocation data and a document time-stamp to each.
    batch = [_sent(province, "B-LTA") for _ in range(3)]
    before = csc_service.calls["credentials/authorize"]
    outcomes = steps_sign_bulk(
        actor=province.chair, assignees=list(waiting_for(province.chair)), passphrase="1234"
    )
    assert [o.ok for o in outcomes] == [True, True, True]
    assert csc_service.calls["credentials/authorize"] - before == 1
    assert all(_valid(request, pki_settings) for request in batch)
    for request in batch:
        reader = PdfFileReader(io.BytesIO(_data(request)))
        assert "/DSS" in reader.root  # B-LT: the validation data are in the document
        kinds = [s.sig_object.get("/Type") for s in reader.embedded_signatures]
        assert kinds[-1] == "/DocTimeStamp"  # B-LTA: a document time-stamp over all of it
