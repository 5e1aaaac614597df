"""Who gets what of a Mật meeting, on every channel: one row per kind of person, one column per
way in (the page, the document file and viewer, the live socket, the substitute reply, the
room's check-in code, e-mail). Plus: the live snapshot and the presenter's list name only
documents the person may open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from email import message_from_bytes, policy
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Clearance, User
from background.models import OutboxMail
from documents.models import Document
from documents.selectors import document_latest_version
from documents.services import document_create
from meetings.live import qr
from meetings.live.selectors import live_access, presenter_documents, snapshot
from meetings.minutes.mail import minutes_issued_mail
from meetings.models import AgendaDocument, Meeting, MeetingStatus, MinutesDraft, Participant
from meetings.preparation.invitations import meeting_mail_send
from meetings.tasks import meeting_invitee_reminders
from meetings.voting.consultations import (
    consultation_close_now,
    consultation_create,
    consultation_remind,
    consultation_send,
)
from signing.models import SigningRequest
from signing.requests.notices import notify
from tests.documents.helpers import pdf_bytes
from tests.factories import make_body, make_user
from tests.meetings.helpers import add_participant, make_meeting
from tests.meetings.live.helpers import open_socket, reset_channel_layers

PEOPLE = ("anonymous", "outsider", "uncleared", "cleared", "clerk", "admin")


@dataclass
class Secret:
    meeting: Meeting
    document_id: int
    people: dict[str, User | None]
    deputy: User


def _person(name: str, clearance: int = Clearance.SECRET, **extra: Any) -> User:
    user = make_user(full_name=name, **extra)
    user.clearance = clearance
    user.save(update_fields=["clearance"])
    return user


def _secret_meeting() -> Secret:
    body = make_body(name="Ủy ban nhân dân tỉnh Bắc Ninh", symbol="UBND", total_members=5)
    department = make_body(name="Sở Tài chính", symbol="STC")
    clerk = _person("Lê Thị Văn Thư", body=body, role="clerk")
    chair = _person("Nguyễn Văn Chủ Tịch", body=body, role="chair")
    meeting = make_meeting(body, clerk, status=MeetingStatus.INVITED)
    Meeting.objects.filter(pk=meeting.pk).update(confidentiality=Clearance.SECRET)
    meeting.refresh_from_db()
    item = meeting.agenda_items.create(title="Phương án nhân sự")
    document = document_create(
        actor=clerk,
        owning_body=body,
        doc_type="to_trinh",
        abstract="Tờ trình phương án nhân sự",
        upload=SimpleUploadedFile("mat.pdf", pdf_bytes(1), "application/pdf"),
        confidentiality=Clearance.SECRET,
    )
    AgendaDocument.objects.create(item=item, document=document, position=0)
    add_participant(meeting, user=chair, role="chair", checked_in=False)
    uncleared = _person("Trần Văn Chưa Mật", Clearance.NORMAL, body=body)
    cleared = _person("Phạm Thị Đã Mật", body=body)
    cleared.memberships.create(body=department, role="chair")
    for user in (uncleared, cleared):
        add_participant(meeting, user=user, checked_in=False)
    people = {
        "anonymous": None,
        "outsider": _person("Vũ Thị Ngoài"),
        "uncleared": uncleared,
        "cleared": cleared,
        "clerk": clerk,
        "admin": User.objects.create_superuser(
            username="quantri", password="mat-khau-thu-1", full_name="Quản Trị"
        ),
    }
    deputy = _person("Đỗ Minh Phó", body=department)
    return Secret(meeting, document.pk, people, deputy)


# Expected answers per person: the page, the file, the viewer, the substitute reply, the
# room code. Hidden means 404 (not 403: the meeting's existence is not confirmed).
HTTP = {
    "anonymous": (302, 302, 302, 302, 302),
    "outsider": (404, 404, 404, 404, 404),
    "uncleared": (404, 404, 404, 404, 404),
    "cleared": (200, 200, 200, 302, 200),
    # Organisers see everything but are not invitees: no reply, no check-in of their own.
    "clerk": (200, 200, 200, 404, 403),
    "admin": (200, 200, 200, 404, 403),
}
# Does anything of the Mật meeting (invitation with its PDFs and .ics, update, cancellation,
# reply reminder or day-before notice, signing notice, signed minutes) or of a Mật
# consultation of the body reach the person's address? Everything is addressed to the
# invitees; the signing notice is addressed to every row (as a careless request would be):
# organisers, who are cleared, get that one only (they are not invitees and not asked), the
# uncleared nothing at all.
EMAIL = {
    "anonymous": False,
    "outsider": False,
    "uncleared": False,
    "cleared": True,
    "clerk": True,
    "admin": True,
}
SOCKET = {
    "anonymous": "forbidden",
    "outsider": "forbidden",
    "uncleared": "forbidden",
    "cleared": "snapshot",
    "clerk": "snapshot",
    "admin": "snapshot",
}


def _answers(client, secret: Secret) -> tuple[int, ...]:
    meeting = secret.meeting
    reply = {"answer": "substitute", "reason": "Đi công tác", "substitute": secret.deputy.pk}
    return (
        client.get(reverse("meetings:detail", args=[meeting.pk])).status_code,
        client.get(reverse("documents:version_file", args=[secret.document_id, 1])).status_code,
        client.get(reverse("documents:viewer", args=[secret.document_id])).status_code,
        client.post(reverse("meetings:rsvp", args=[meeting.pk]), reply).status_code,
        client.get(qr.room_path(meeting.pk)).status_code,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("who", PEOPLE)
def test_http_channels(client, who):
    secret = _secret_meeting()
    user = secret.people[who]
    if user is not None:
        client.force_login(user)
    assert _answers(client, secret) == HTTP[who]
    sent = Participant.objects.filter(meeting=secret.meeting, user=secret.deputy).exists()
    assert sent == (who == "cleared")  # only an invitee's accepted reply adds the deputy


@pytest.mark.django_db(transaction=True)
async def test_live_socket():
    reset_channel_layers()
    secret = await database_sync_to_async(_secret_meeting)()
    got = {}
    for who in PEOPLE:
        socket, first = await open_socket(secret.people[who], secret.meeting.pk)
        got[who] = first["type"] if first["type"] == "snapshot" else first["payload"]["code"]
        await socket.disconnect()
    reset_channel_layers()
    assert got == SOCKET


@pytest.mark.django_db
def test_snapshot_and_presenter_list_name_only_documents_the_person_may_open():
    secret = _secret_meeting()
    meeting = secret.meeting
    top = document_create(
        actor=secret.people["admin"],
        owning_body=meeting.body,
        doc_type="to_trinh",
        abstract="Phụ lục tối mật",
        upload=SimpleUploadedFile("tm.pdf", pdf_bytes(1), "application/pdf"),
        confidentiality=Clearance.TOP_SECRET,
    )
    # Left over from when the meeting was Tối mật (its level was lowered since).
    AgendaDocument.objects.create(item=meeting.agenda_items.get(), document=top, position=1)
    cleared = secret.people["cleared"]

    def named(user: User) -> list[str]:
        access = live_access(user, meeting.pk)
        assert access is not None
        state = snapshot(meeting.pk, access)["state"]
        return [d["title"] for item in state["agenda"] for d in item["documents"]]

    assert named(cleared) == ["Tờ trình phương án nhân sự"]
    assert named(secret.people["admin"]) == ["Tờ trình phương án nhân sự", "Phụ lục tối mật"]
    # Even an administrator cannot put it on screens the room is not cleared for.
    shown = presenter_documents(secret.people["admin"], meeting)
    assert [link.document_id for link in shown] == [secret.document_id]
    assert [link.document_id for link in presenter_documents(cleared, meeting)] == [
        secret.document_id
    ]


def _mail_everything(secret: Secret) -> None:
    """Every mail KyHop sends about the meeting, its documents and a Mật consultation."""
    meeting = secret.meeting
    clerk, admin = secret.people["clerk"], secret.people["admin"]
    assert clerk is not None and admin is not None, "the matrix's clerk and admin are people"
    document = Document.objects.get(pk=secret.document_id)
    # The meeting's own PDFs are the Mật document here: the invitation mail attaches it.
    Meeting.objects.filter(pk=meeting.pk).update(
        invitation_document=document,
        starts_at=timezone.now() + timedelta(hours=20),
        ends_at=timezone.now() + timedelta(hours=22),
    )
    meeting_mail_send(meeting_id=meeting.pk, method="request")
    Meeting.objects.filter(pk=meeting.pk).update(revision=1)
    meeting_mail_send(meeting_id=meeting.pk, method="request")
    meeting_invitee_reminders(timezone.now())
    meeting_mail_send(meeting_id=meeting.pk, method="cancel")
    version = document_latest_version(document)
    assert version is not None and clerk is not None
    request = SigningRequest.objects.create(
        document=document,
        source_version=version,
        current_version=version,
        body=meeting.body,
        title="Tờ trình phương án nhân sự",
        level="B-LTA",
        created_by=clerk,
    )
    everyone = [user for user in secret.people.values() if user is not None]
    notify(everyone, request, "Có văn bản chờ đồng chí ký: Tờ trình phương án nhân sự")
    draft = MinutesDraft.objects.create(
        meeting=meeting,
        version=1,
        content={},
        status="signed",
        edited_by=clerk,
        edited_at=timezone.now(),
        document=document,
    )
    minutes_issued_mail(draft=draft)
    consultation = consultation_create(
        actor=clerk,
        body=meeting.body,
        title="Ý kiến về phương án nhân sự",
        description="Nội dung phương án nhân sự (Mật).",
        deadline=timezone.now() + timedelta(days=2),
        confidentiality=Clearance.SECRET,
    )
    consultation = consultation_send(actor=clerk, consultation=consultation)
    consultation_remind(consultation=consultation)
    consultation_close_now(actor=admin, consultation=consultation)


@pytest.mark.django_db
def test_email_channel(django_capture_on_commit_callbacks):
    secret = _secret_meeting()
    for who, user in secret.people.items():
        if user is not None:
            user.email = f"{who}@example.vn"
            user.save(update_fields=["email"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _mail_everything(secret)
    received: dict[str, list[bytes]] = {who: [] for who in PEOPLE}
    for message in mail.outbox:
        for address in message.to:
            received[address.split("@")[0]].append(message.message().as_bytes())
    got = {who: bool(received[who]) for who in PEOPLE}
    assert got == EMAIL
    # The cleared invitee had every kind: invitation (with the PDF), update, cancellation,
    # reply reminder, signing notice, minutes, and the consultation's three mails.
    purposes = set(
        OutboxMail.objects.filter(address="cleared@example.vn").values_list("purpose", flat=True)
    )
    assert purposes == {
        "invitation",
        "update",
        "cancel",
        "reply-reminder",
        "notice",
        "minutes",
        "consultation-invite",
        "consultation-remind",
        "consultation-result",
    }
    # No body, subject or attachment of any of it sits in the outbox for anyone else.
    assert set(OutboxMail.objects.values_list("address", flat=True)) <= {
        "cleared@example.vn",
        "clerk@example.vn",
        "admin@example.vn",
        secret.meeting.participants.get(role="chair").user.email,
    }
    for organiser in ("clerk", "admin"):
        mailed = OutboxMail.objects.filter(address=f"{organiser}@example.vn")
        assert set(mailed.values_list("purpose", flat=True)) == {"notice"}
    attachments = [
        part.get_filename()
        for raw in received["cleared"]
        for part in message_from_bytes(raw, policy=policy.default).iter_attachments()
    ]
    assert "giay-moi.pdf" in attachments and "bien-ban.pdf" in attachments
