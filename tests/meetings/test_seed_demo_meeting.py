"""The demo meeting of ``make run``: prepared, invited, with a pack that opens; made once."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import Membership
from documents.models import Document
from meetings.models import AgendaDocument, AgendaItem, Meeting, MeetingStatus, Participant

pytestmark = pytest.mark.django_db


def test_the_demo_meeting_is_prepared_and_invited_once(client):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo_meeting", verbosity=0)
    meeting = Meeting.objects.get()
    assert meeting.status == MeetingStatus.INVITED
    assert meeting.invitation_number.endswith("/GM-UBND")
    assert meeting.starts_at.weekday() < 5
    items = AgendaItem.objects.filter(meeting=meeting)
    assert items.count() == 6 and items.filter(parent__isnull=False).count() == 2
    assert AgendaDocument.objects.filter(item__meeting=meeting).count() == 2
    members = Membership.objects.filter(body=meeting.body).count()
    assert Participant.objects.filter(meeting=meeting).count() == members
    counts = (Meeting.objects.count(), Document.objects.count(), AgendaItem.objects.count())
    call_command("seed_demo_meeting", verbosity=0)
    assert (Meeting.objects.count(), Document.objects.count(), AgendaItem.objects.count()) == counts
    # An official of the committee opens it and its pack, as README says.
    assert client.login(username="daibieu2", password="KyHop@2026")
    page = client.get(f"/hop/{meeting.pk}/").content.decode()
    assert "Tờ trình về dự toán ngân sách địa phương năm 2027" in page
    link = AgendaDocument.objects.filter(item__meeting=meeting).first()
    viewer = reverse("documents:viewer", args=[link.document_id])
    assert client.get(viewer).status_code == 200
    pdf = client.get(reverse("documents:version_file", args=[link.document_id, 1]))
    assert pdf.status_code == 200


def test_it_needs_the_demo_province_first():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_meeting", verbosity=0)
