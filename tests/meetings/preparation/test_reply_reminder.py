"""The organiser's "nhắc người chưa trả lời": counts on the reply panel and one reminder a day."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Clearance
from audit.models import AuditEvent
from meetings.models import Rsvp
from meetings.preparation import services
from meetings.preparation.invitations import invitees_remind, meeting_send_invitations


@pytest.fixture
def invited(host, meeting, django_capture_on_commit_callbacks):
    services.agenda_item_add(actor=host.clerk, meeting=meeting, title="Báo cáo")
    services.participants_invite_body(actor=host.clerk, meeting=meeting, body=host.body)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_send_invitations(actor=host.clerk, meeting=meeting)
    mail.outbox.clear()
    return meeting


def _answer(meeting, user, rsvp):
    meeting.participants.filter(user=user).update(rsvp=rsvp)


def test_only_those_who_have_not_answered_are_reminded_once_a_day(
    host, invited, django_capture_on_commit_callbacks
):
    _answer(invited, host.chair, Rsvp.ATTENDING)
    _answer(invited, host.members[0], Rsvp.ABSENT)
    pending = set(
        invited.participants.filter(rsvp=Rsvp.PENDING).values_list("user__email", flat=True)
    )
    assert host.members[1].email in pending and host.chair.email not in pending
    with django_capture_on_commit_callbacks(execute=True):
        reminded = invitees_remind(actor=host.clerk, meeting=invited)
    assert reminded.queued == reminded.pending == len(pending)
    assert {m.to[0] for m in mail.outbox} == pending
    assert all(m.subject.startswith("[Nhắc trả lời giấy mời]") for m in mail.outbox)
    assert invited.invitation_number in mail.outbox[0].body
    assert AuditEvent.objects.filter(verb="meeting.invitees_reminded").count() == 1
    mail.outbox.clear()
    # A second tap the same day sends nothing; the next day it may remind again.
    with django_capture_on_commit_callbacks(execute=True):
        again = invitees_remind(actor=host.clerk, meeting=invited)
    assert again.queued == 0 and again.pending == len(pending) and not mail.outbox
    tomorrow = timezone.now() + dt.timedelta(days=1)
    with (
        time_machine.travel(tomorrow, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert invitees_remind(actor=host.clerk, meeting=invited).queued == len(pending)


def test_an_uncleared_invitee_of_a_secret_meeting_is_not_reminded(
    host, meeting, django_capture_on_commit_callbacks
):
    for user in (host.chair, host.clerk):
        user.clearance = Clearance.SECRET
        user.save()
    meeting.confidentiality = Clearance.SECRET
    meeting.save()
    services.agenda_item_add(actor=host.clerk, meeting=meeting, title="Báo cáo mật")
    services.participant_invite(actor=host.clerk, meeting=meeting, user=host.chair)
    # Invited before the meeting became Mật: keeps the row, may not read, is not mailed.
    services.participant_invite(actor=host.clerk, meeting=meeting, user=host.members[0])
    meeting = meeting_send_invitations(actor=host.clerk, meeting=meeting)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reminded = invitees_remind(actor=host.clerk, meeting=meeting)
    assert [m.to[0] for m in mail.outbox] == [host.chair.email]
    assert reminded.pending == 1


def test_only_the_organiser_reminds_and_only_after_issuing(host, meeting, invited):
    with pytest.raises(PermissionDenied):
        invitees_remind(actor=host.members[0], meeting=invited)
    services.meeting_cancel(actor=host.clerk, meeting=invited, reason="Hoãn")
    with pytest.raises(ValidationError, match="Chỉ nhắc trả lời được"):
        invitees_remind(actor=host.clerk, meeting=invited)


def test_the_reply_panel_counts_answers_and_offers_the_reminder(host, invited, client):
    _answer(invited, host.chair, Rsvp.ATTENDING)
    client.force_login(host.clerk)
    panel = client.get(reverse("meetings:rsvp_panel", args=[invited.pk])).content.decode()
    pending = invited.participants.filter(rsvp=Rsvp.PENDING).count()
    assert "Tham dự: 1" in panel and f"Chưa trả lời: {pending}" in panel
    assert reverse("meetings:invitees_remind", args=[invited.pk]) in panel
    response = client.post(reverse("meetings:invitees_remind", args=[invited.pk]), follow=True)
    assert f"Đã gửi thư nhắc tới {pending} người chưa trả lời." in response.content.decode()
    client.force_login(host.members[0])
    refused = client.post(reverse("meetings:invitees_remind", args=[invited.pk]))
    assert refused.status_code in (403, 404)
