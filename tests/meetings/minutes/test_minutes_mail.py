"""The minutes of a Mật meeting by mail: the signing notices and the signed minutes go through
the outbox, and only to people cleared for the meeting (the test PKI signs for real)."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.models import Clearance
from background.models import MailStatus, OutboxMail
from meetings.minutes.draft import minutes_draft_create, minutes_save
from meetings.minutes.mail import minutes_issued_mail
from meetings.minutes.signing import minutes_send_for_signature
from meetings.models import Meeting, MinutesDraft, MinutesStatus
from signing.models import SigningRequest
from signing.selectors import waiting_for
from signing.services import request_number_assign, step_sign
from tests.meetings.minutes.helpers import hold_meeting
from tests.signing import conftest as signing_fixtures

test_pki = signing_fixtures.test_pki
pki_settings = signing_fixtures.pki_settings
province = signing_fixtures.province
signing_storage = signing_fixtures.signing_storage

pytestmark = pytest.mark.django_db


def _secret_meeting(province):
    held = hold_meeting(
        body=province.ubnd, clerk=province.clerk, chair=province.chair, secretary=province.drafter1
    )
    Meeting.objects.filter(pk=held.meeting.pk).update(confidentiality=Clearance.SECRET)
    held.meeting.refresh_from_db()
    cleared = [province.clerk, province.chair, province.drafter1, *held.members[:2]]
    everyone = {*cleared, *held.members, held.substitute}
    for user in everyone:
        user.email = f"{user.username}@example.vn"
        user.clearance = Clearance.SECRET if user in cleared else Clearance.NORMAL
        user.save(update_fields=["email", "clearance"])
    minutes_draft_create(actor=province.clerk, meeting=held.meeting)
    minutes_save(
        actor=province.clerk,
        meeting=held.meeting,
        narrative={"items.0.discussion": "Các thành viên thống nhất với dự thảo."},
    )
    return held, cleared


def _sign(user, request, passphrase, capture):
    assignee = waiting_for(user).get(step__request=request)
    with capture(execute=True):
        return step_sign(actor=user, assignee=assignee, passphrase=passphrase)


def test_signing_notices_and_the_signed_minutes_reach_only_cleared_people(
    province, pki_settings, django_capture_on_commit_callbacks
):
    held, cleared = _secret_meeting(province)
    cleared_addresses = {u.email for u in cleared}
    with django_capture_on_commit_callbacks(execute=True):
        draft = minutes_send_for_signature(actor=province.clerk, meeting=held.meeting)
    request = draft.signing_request
    notices = OutboxMail.objects.filter(topic=f"signing-request:{request.pk}")
    assert list(notices.values_list("address", flat=True)) == [province.drafter1.email]

    passphrase = pki_settings.passphrase
    _sign(province.drafter1, request, passphrase, django_capture_on_commit_callbacks)
    _sign(province.chair, request, passphrase, django_capture_on_commit_callbacks)
    request_number_assign(actor=province.clerk, request=request, issued_on=dt.date(2026, 12, 3))
    mail.outbox.clear()
    _sign(province.clerk, request, passphrase, django_capture_on_commit_callbacks)
    draft.refresh_from_db()
    assert draft.status == MinutesStatus.SIGNED

    minutes = OutboxMail.objects.filter(purpose="minutes")
    # Participants cleared for the meeting: chair, secretary and the two cleared members (the
    # clerk organises but is not a participant; the uncleared members and substitute get none).
    expected = {province.chair.email, province.drafter1.email, *(m.email for m in held.members[:2])}
    assert set(minutes.values_list("address", flat=True)) == expected
    assert set(minutes.values_list("status", flat=True)) == {MailStatus.SENT}
    sent = [m for m in mail.outbox if m.subject.startswith("[Biên bản]")]
    assert sorted(m.to[0] for m in sent) == sorted(expected)
    parsed = message_from_bytes(sent[0].message().as_bytes(), policy=policy.default)
    attachment = next(parsed.iter_attachments())
    assert attachment.get_filename() == "bien-ban.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    # Nothing of the meeting, on any of its topics, went to an uncleared address.
    every_address = set(OutboxMail.objects.values_list("address", flat=True))
    assert every_address <= cleared_addresses
    # A second filing (the hook runs again) mails nobody twice.
    assert minutes_issued_mail(draft=MinutesDraft.objects.get(pk=draft.pk)) == 0


def test_an_uncleared_signer_is_refused_before_anything_is_sent(
    province, django_capture_on_commit_callbacks
):
    held, _cleared = _secret_meeting(province)
    province.drafter1.clearance = Clearance.NORMAL
    province.drafter1.save(update_fields=["clearance"])
    with (
        pytest.raises(ValidationError, match="Lê Minh Đức chưa được phép đọc"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        minutes_send_for_signature(actor=province.clerk, meeting=held.meeting)
    assert not SigningRequest.objects.exists()
    assert not OutboxMail.objects.exists()
    assert not MinutesDraft.objects.filter(
        meeting=held.meeting, status=MinutesStatus.IN_SIGNING
    ).exists()
