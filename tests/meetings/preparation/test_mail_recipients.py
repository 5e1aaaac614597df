"""Mail goes only to those who may open what it carries (the meeting page's own rule)."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from accounts.models import Clearance
from background.models import OutboxMail
from meetings.access import meeting_access, participants_who_may_read
from meetings.preparation import services
from meetings.preparation.invitations import meeting_send_invitations


def test_a_secret_meetings_invitation_is_not_mailed_to_an_uncleared_invitee(
    host, meeting, django_capture_on_commit_callbacks
):
    cleared, uncleared = host.members[0], host.members[1]
    for user in (host.chair, host.clerk, cleared):
        user.clearance = Clearance.SECRET
        user.save()
    meeting.confidentiality = Clearance.SECRET
    meeting.save()
    services.agenda_item_add(actor=host.clerk, meeting=meeting, title="Báo cáo mật")
    added = services.participants_invite_body(actor=host.clerk, meeting=meeting, body=host.body)
    assert uncleared not in [p.user for p in added]  # not invited at all
    # One invited before the meeting became Mật keeps a row but gets no mail.
    services.participant_invite(actor=host.clerk, meeting=meeting, user=uncleared)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_send_invitations(actor=host.clerk, meeting=meeting)
    mailed = sorted(m.to[0] for m in mail.outbox)
    assert uncleared.email not in mailed
    assert cleared.email in mailed and host.chair.email in mailed
    assert host.members[2].email not in mailed  # not cleared either
    assert set(OutboxMail.objects.values_list("address", flat=True)) == set(mailed)
    # The query and the meeting page agree person by person.
    readers = {p.user_id for p in participants_who_may_read(meeting)}
    for participant in meeting.participants.select_related("user"):
        page = meeting_access(participant.user, meeting.pk) is not None
        assert page == (participant.user_id in readers), participant.user.username


def test_the_clerk_is_told_who_was_not_invited_and_why(host, meeting, client):
    host.clerk.clearance = Clearance.SECRET
    host.clerk.save()
    meeting.confidentiality = Clearance.SECRET
    meeting.save()
    client.force_login(host.clerk)
    url = reverse("meetings:invite_body", args=[meeting.pk])
    response = client.post(url, {"body": host.body.pk, "role": ""}, follow=True)
    text = response.content.decode()
    assert "Không mời và không gửi thư cho" in text
    assert host.members[0].full_name in text and "chưa được phép đọc" in text


def test_the_preparation_page_shows_each_recipients_mail_status(
    host, meeting, client, django_capture_on_commit_callbacks
):
    services.agenda_item_add(actor=host.clerk, meeting=meeting, title="Báo cáo")
    services.participants_invite_body(actor=host.clerk, meeting=meeting, body=host.body)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_send_invitations(actor=host.clerk, meeting=meeting)
    client.force_login(host.clerk)
    page = client.get(reverse("meetings:prepare", args=[meeting.pk])).content.decode()
    assert "Thư điện tử đã gửi" in page
    assert page.count('data-status="sent"') == OutboxMail.objects.count() == 5
    assert "Đã gửi" in page and host.chair.full_name in page
