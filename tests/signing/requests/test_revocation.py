"""Revocation in the signing workflow: the signer sees why on the signing screen, a batch
fails each document with the reason (asking the CA once), and the settings decide what an
undetermined status allows per kind of step."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from signing.backends.identities import identity_import_pkcs12
from signing.bulk.services import steps_sign_bulk
from signing.models import AssigneeStatus, SigningNotice, SigningRequest, StepKind
from signing.selectors import waiting_for
from signing.services import AssigneeSpec, StepSpec, request_create, request_send, step_sign
from tests.signing.helpers import REVOKED, REVOKED_TEXT, UNKNOWN_TEXT, register, to_trinh

pytestmark = pytest.mark.django_db


def _sent(world, steps: list[StepSpec], level: str) -> SigningRequest:
    version = register(world, to_trinh()[0])
    request = request_create(actor=world.clerk, version=version, steps=steps, level=level)
    return request_send(actor=world.clerk, request=request)


def _chair_only(world, level: str = "B-T") -> SigningRequest:
    return _sent(world, [StepSpec(StepKind.MAIN, (AssigneeSpec(user=world.chair),))], level)


def _give(world_pki, user, name: str, source: str | None = None) -> None:
    """Make *user*'s current identity the PKI's *source* (default *name*) under *name*."""
    identity_import_pkcs12(
        actor=None,
        name=name,
        pkcs12_bytes=world_pki.layout.identity_file(source or name).read_bytes(),
        passphrase=world_pki.passphrase,
        owner_user=user,
    )


def test_the_signing_screen_tells_the_signer_why_a_revoked_certificate_cannot_sign(
    client, province, pki_settings
):
    request = _chair_only(province)
    before = request.current_version_id
    _give(pki_settings, province.chair, REVOKED)
    action = waiting_for(province.chair).get(step__request=request)

    client.force_login(province.chair)
    page = client.post(
        reverse("signing:step_sign", args=[action.pk]),
        {"passphrase": pki_settings.passphrase},
        follow=True,
    ).content.decode()

    assert REVOKED_TEXT in page
    assert "Đã ký số thành công" not in page
    request.refresh_from_db()
    assert request.current_version_id == before
    assert not AuditEvent.objects.filter(verb="signing.step_signed").exists()


def test_a_batch_with_a_revoked_certificate_fails_every_document_with_the_reason(
    province, pki_settings, settings
):
    settings.KYHOP_SIGN_REVOCATION_CACHE_SECONDS = 0  # only the batch's one check spares the CA
    for _ in range(3):
        _chair_only(province)
    _give(pki_settings, province.chair, REVOKED)
    ocsp, tsa = pki_settings.hits["ocsp"], pki_settings.hits["tsa"]

    outcomes = steps_sign_bulk(
        actor=province.chair,
        assignees=list(waiting_for(province.chair)),
        passphrase=pki_settings.passphrase,
    )

    assert len(outcomes) == 3
    assert all(not o.ok and o.message.startswith(REVOKED_TEXT) for o in outcomes)
    assert pki_settings.hits["ocsp"] - ocsp == 1
    assert pki_settings.hits["tsa"] == tsa
    assert not province.chair.signing_assignments.filter(status=AssigneeStatus.SIGNED).exists()


def test_a_good_batch_is_checked_once_and_recorded_in_the_audit_trail(
    province, pki_settings, settings
):
    settings.KYHOP_SIGN_REVOCATION_CACHE_SECONDS = 0
    for _ in range(3):
        _chair_only(province, level="B-B")
    ocsp = pki_settings.hits["ocsp"]

    outcomes = steps_sign_bulk(
        actor=province.chair,
        assignees=list(waiting_for(province.chair)),
        passphrase=pki_settings.passphrase,
    )

    assert all(o.ok for o in outcomes)
    assert pki_settings.hits["ocsp"] - ocsp == 1
    events = AuditEvent.objects.filter(verb="signing.step_signed")
    assert [e.details["revocation"] for e in events] == ["good"] * 3


def test_initials_may_go_ahead_on_an_unknown_status_but_the_competent_person_may_not(
    province, unreachable_pki_settings, settings
):
    settings.KYHOP_SIGN_REVOCATION_UNKNOWN = "allow-initials"
    down = unreachable_pki_settings
    _give(down, province.drafter1, "khong-ro-1", source="chutich")
    _give(down, province.chair, "khong-ro-2", source="chutich")
    steps = [
        StepSpec(StepKind.INITIAL, (AssigneeSpec(user=province.drafter1),)),
        StepSpec(StepKind.MAIN, (AssigneeSpec(user=province.chair),)),
    ]
    request = _sent(province, steps, "B-B")

    initial = waiting_for(province.drafter1).get(step__request=request)
    step_sign(actor=province.drafter1, assignee=initial, passphrase=down.passphrase)
    event = AuditEvent.objects.get(verb="signing.step_initialled")
    assert event.details["revocation"] == "unknown"
    notices = SigningNotice.objects.filter(user=province.drafter1, request=request)
    assert notices.filter(
        message__contains="chưa xác định được chứng thư số có bị thu hồi"
    ).exists()

    main = waiting_for(province.chair).get(step__request=request)
    with pytest.raises(ValidationError) as caught:
        step_sign(actor=province.chair, assignee=main, passphrase=down.passphrase)
    assert caught.value.code == "revocation_unknown"
    assert caught.value.messages[0].startswith(UNKNOWN_TEXT)
    assert not AuditEvent.objects.filter(verb="signing.step_signed").exists()
