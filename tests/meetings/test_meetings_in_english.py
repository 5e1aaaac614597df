"""Messages from the server side of meetings in the visitor's language: flash messages, refusals
from the services, the live command endpoint's JSON errors and the socket's replies. Vietnamese
stays the default; what every screen receives (events) does not depend on who caused it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from html import unescape

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kyhop.asgi import application
from meetings.live import hub
from meetings.live import services as live_services
from meetings.live.selectors import roll_payload
from meetings.models import Meeting, MeetingStatus, Participant, ParticipantRole, PollKind
from tests.documents.helpers import pdf_bytes, upload
from tests.factories import make_user
from tests.meetings.helpers import add_participant
from tests.meetings.live.helpers import (
    ORIGIN,
    TIMEOUT,
    next_of,
    reset_channel_layers,
    send,
    session_cookie,
)

db = database_sync_to_async


def _client(user, language: str | None = "en", **headers) -> Client:
    client = Client(**headers)
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _text(response) -> str:
    return unescape(response.content.decode())


# --- Flash messages and refusals on the meeting screens -------------------------------------


def _create(client, host):
    starts = timezone.make_aware(datetime(2026, 12, 10, 8, 0))
    return client.post(
        reverse("meetings:create"),
        {
            "body": host.body.pk,
            "title": "Họp giao ban",
            "kind": "regular",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "place": "Phòng họp số 2",
            "confidentiality": "0",
        },
        follow=True,
    )


def test_creating_a_meeting_says_so_in_english(host):
    page = _text(_create(_client(host.clerk), host))
    assert Meeting.objects.filter(title="Họp giao ban").exists()
    assert "Meeting created. Now prepare the agenda and invite the delegates." in page
    assert "Đã tạo cuộc họp" not in page


def test_creating_a_meeting_stays_vietnamese_by_default(host):
    page = _text(_create(_client(host.clerk, language=None), host))
    assert "Đã tạo cuộc họp. Hãy lập chương trình và mời đại biểu." in page
    assert "Meeting created" not in page


def test_english_from_the_browsers_accept_language_too(host):
    client = _client(host.clerk, language=None, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    assert "Meeting created. Now prepare the agenda and invite the delegates." in _text(
        _create(client, host)
    )


def _invited(host, meeting, status=MeetingStatus.INVITED):
    from meetings.preparation import services

    services.participants_invite_body(actor=host.clerk, meeting=meeting, body=host.body)
    Meeting.objects.filter(pk=meeting.pk).update(status=status)


def _rsvp(client, meeting, **data):
    return _text(client.post(reverse("meetings:rsvp", args=[meeting.pk]), data, follow=True))


def test_a_refused_rsvp_is_explained_in_english(host, meeting):
    _invited(host, meeting, status=MeetingStatus.CLOSED)
    client = _client(host.members[0])
    page = _rsvp(client, meeting, answer="attending")
    assert "The meeting no longer accepts replies." in page
    assert "Cuộc họp không còn nhận trả lời." not in page
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.INVITED)
    # A field error of the service (a dict), with a name put into the sentence.
    page = _rsvp(
        client, meeting, answer="substitute", reason="Đi công tác", substitute=host.clerk.pk
    )
    assert f"{host.clerk.full_name} is already invited to the meeting." in page
    assert "Please give the reason for your absence." in _rsvp(client, meeting, answer="absent")
    assert "Your reply was recorded." in _rsvp(client, meeting, answer="absent", reason="Ốm")
    invitee = Participant.objects.get(meeting=meeting, user=host.members[0])
    assert invitee.rsvp == "absent"


def test_organiser_actions_flash_in_english_with_their_numbers(host, meeting):
    client = _client(host.clerk)
    response = client.post(
        reverse("meetings:invite_body", args=[meeting.pk]), {"body": host.body.pk}, follow=True
    )
    count = Participant.objects.filter(meeting=meeting).count()
    assert count > 1
    assert f"Invited {count} more people." in _text(response)
    response = client.post(
        reverse("meetings:cancel", args=[meeting.pk]), {"reason": "Lùi lịch"}, follow=True
    )
    assert "Meeting cancelled." in _text(response)
    # Refused now that it is cancelled: the status is named in English too.
    response = client.post(
        reverse("meetings:item_add", args=[meeting.pk]), {"title": "Mục mới"}, follow=True
    )
    assert "The meeting is “Cancelled” and cannot be changed." in _text(response)


@pytest.mark.usefixtures("doc_storage")
def test_a_bad_file_for_the_agenda_is_refused_in_english(host, meeting):
    from meetings.preparation import services

    item = services.agenda_item_add(actor=host.clerk, meeting=meeting, title="Tờ trình")
    client = _client(host.clerk)
    url = reverse("meetings:document_upload", args=[meeting.pk, item.pk])
    page = _text(
        client.post(url, {"file": upload("anh.pdf", b"\x89PNG\r\n" + bytes(64))}, follow=True)
    )
    assert "The file “anh.pdf” ends in .pdf but is not a PDF file. Please check the file." in page
    page = _text(client.post(url, {"file": upload("to-trinh.pdf", pdf_bytes())}, follow=True))
    assert "Uploaded and attached “to-trinh”." in page


# --- The live command endpoint's JSON errors ------------------------------------------------


def _command(client, meeting, action: str, **data) -> dict:
    response = client.post(reverse("meetings:live_command", args=[meeting.pk, action]), data)
    assert response.status_code == 400
    return response.json()


def _open_poll(room):
    poll = live_services.live_poll_create(
        actor=room.chair,
        meeting=room.meeting,
        item_id=room.item.pk,
        title="Thông qua tờ trình",
        kind=PollKind.YES_NO_ABSTAIN,
        secret=False,
    )
    return live_services.live_poll_open(
        actor=room.chair, meeting=room.meeting, poll_id=poll.pk, override_reason="Thử nghiệm"
    )


def test_live_command_errors_in_english(room):
    chair = _client(room.chair)
    assert _command(chair, room.meeting, "timer-extend", seconds="0") == {
        "ok": False,
        "error": "Each extension must be between 1 second and 60 minutes.",
    }
    assert _command(chair, room.meeting, "item")["error"] == (
        "The field item_id is missing or wrong."
    )
    poll = _open_poll(room)
    guest = add_participant(room.meeting, name="Khách Mời", role=ParticipantRole.GUEST)
    yes = poll.options.get(key="yes").pk
    refused = _command(_client(guest.user), room.meeting, "ballot", poll_id=poll.pk, option_id=yes)
    assert refused["error"] == "You attend without voting rights."


def test_live_command_errors_stay_vietnamese_by_default(room):
    chair = _client(room.chair, language=None)
    assert _command(chair, room.meeting, "timer-extend", seconds="0")["error"] == (
        "Chỉ được gia hạn từ 1 giây đến 60 phút mỗi lần."
    )


# --- The live socket: replies to one socket in its language ---------------------------------


@pytest.fixture
def _fresh_layers():
    reset_channel_layers()
    yield
    reset_channel_layers()


async def _socket(user, meeting_id: int, *, cookie: str = "", accept: str = ""):
    headers = [(b"origin", ORIGIN.encode())]
    cookies = [f"sessionid={await db(session_cookie)(user)}"] + ([cookie] if cookie else [])
    headers.append((b"cookie", "; ".join(cookies).encode()))
    if accept:
        headers.append((b"accept-language", accept.encode()))
    socket = WebsocketCommunicator(application, f"/ws/hop/{meeting_id}/", headers=headers)
    connected, _ = await socket.connect(timeout=TIMEOUT)
    assert connected
    return socket, await socket.receive_json_from(timeout=TIMEOUT)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_fresh_layers")
async def test_socket_errors_in_the_sockets_language(room):
    official = (await db(add_participant)(room.meeting, name="Trần Thị Đại Biểu")).user
    guest = (await db(add_participant)(room.meeting, role=ParticipantRole.GUEST)).user
    poll = await db(_open_poll)(room)
    yes = await db(lambda: poll.options.get(key="yes").pk)()
    english, first = await _socket(official, room.meeting.pk, cookie="django_language=en")
    assert first["type"] == "snapshot"
    vietnamese, _ = await _socket(guest, room.meeting.pk)

    await english.send_to(text_data="{not json")
    error = await next_of(english, "error")
    assert error["payload"] == {
        "code": "invalid",
        "message": "The message is not valid JSON.",
        "ref": None,
    }
    # A refusal raised by a service in the database thread is in the socket's language too.
    await send(english, "ballot.cast", poll_id=987654, option_ids=[yes], ref="e1")
    error = await next_of(english, "error")
    assert error["payload"]["message"] == "The vote does not belong to this meeting."
    # The acknowledgement of a ballot as well.
    await send(english, "ballot.cast", poll_id=poll.pk, option_ids=[yes], ref="e2")
    assert (await next_of(english, "ballot.ack"))["payload"]["message"] == (
        "Your ballot was recorded."
    )
    # Another socket at the same time keeps its own language (Vietnamese by default).
    await send(vietnamese, "ballot.cast", poll_id=poll.pk, option_ids=[yes], ref="v1")
    error = await next_of(vietnamese, "error")
    assert error["payload"]["message"] == "Bạn dự họp với tư cách không có quyền biểu quyết."
    await english.disconnect()
    await vietnamese.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_fresh_layers")
async def test_refusal_at_connect_follows_accept_language(room):
    outsider = await db(make_user)(full_name="Người Ngoài")
    socket, first = await _socket(outsider, room.meeting.pk, accept="en-US,en;q=0.9")
    assert first["payload"] == {
        "code": "forbidden",
        "message": "You may not join this meeting session.",
    }
    await socket.disconnect()
    socket, first = await _socket(outsider, room.meeting.pk, accept="fr-FR")
    assert first["payload"]["message"] == "Bạn không có quyền tham gia phiên họp này."
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
def test_broadcasts_stay_vietnamese_with_codes_whoever_caused_them(room, monkeypatch):
    """An English chair's action reaches every screen as codes beside Vietnamese labels."""
    sent: list[tuple[str, dict]] = []

    def capture(meeting_id: int, seq: int | None, text: str, *, staff: bool) -> None:
        message = json.loads(text)
        sent.append((message["type"], message["payload"]))

    monkeypatch.setattr(hub, "_broadcast", capture)
    chair = _client(room.chair)
    response = chair.post(reverse("meetings:live_command", args=[room.meeting.pk, "end"]))
    assert response.json() == {"ok": True}
    assert ("meeting.status", {"status": "closed", "status_label": "Đã kết thúc"}) in sent
    row = roll_payload(room.meeting)[0]
    assert (row["role"], row["role_code"]) == ("Chủ trì", "chair")
    assert (row["mode"], row["mode_code"]) == ("Trực tiếp", "in_person")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_fresh_layers")
async def test_the_snapshot_brings_the_label_table_in_the_sockets_language(room):
    official = (await db(add_participant)(room.meeting, name="Trần Thị Đại Biểu")).user
    en_socket, english = await _socket(official, room.meeting.pk, cookie="django_language=en")
    vi_socket, vietnamese = await _socket(room.chair, room.meeting.pk)
    for first, status, yes, chair in (
        (english, "In session", "For", "Chair"),
        (vietnamese, "Đang họp", "Tán thành", "Chủ trì"),
    ):
        labels = first["payload"]["labels"]
        assert labels["status"]["in_progress"] == status
        assert labels["option"]["yes"] == yes
        assert labels["role"]["chair"] == chair
        # The shared part of the snapshot stays Vietnamese, whatever the socket's language.
        assert first["payload"]["meeting"]["status_label"] == "Đang họp"
    await en_socket.disconnect()
    await vi_socket.disconnect()
