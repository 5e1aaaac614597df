"""Who gets what of a Mật meeting, on every channel: one row per kind of person, one column per
way in (the page, the document file and viewer, the live socket, the substitute reply, the
room's check-in code). Plus: the live snapshot and the presenter's list name only documents
the person may open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Clearance, User
from documents.services import document_create
from meetings.live import qr
from meetings.live.selectors import live_access, presenter_documents, snapshot
from meetings.models import AgendaDocument, Meeting, MeetingStatus, Participant
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
        state = snapshot(meeting.pk, live_access(user, meeting.pk))["state"]
        return [d["title"] for item in state["agenda"] for d in item["documents"]]

    assert named(cleared) == ["Tờ trình phương án nhân sự"]
    assert named(secret.people["admin"]) == ["Tờ trình phương án nhân sự", "Phụ lục tối mật"]
    # Even an administrator cannot put it on screens the room is not cleared for.
    shown = presenter_documents(secret.people["admin"], meeting)
    assert [link.document_id for link in shown] == [secret.document_id]
    assert [link.document_id for link in presenter_documents(cleared, meeting)] == [
        secret.document_id
    ]
