"""The live meeting socket: who may connect, snapshots and sequence numbers, abuse handling."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from meetings.live import attendance, speakers
from meetings.live import services as live_services
from meetings.live.consumers import CLOSE_FLOOD, CLOSE_FORBIDDEN
from meetings.live.hub import live_publish, next_seq
from meetings.models import AgendaItem, LiveState, ParticipantRole, PollKind
from tests.factories import make_user
from tests.meetings.helpers import add_participant
from tests.meetings.live.helpers import next_of, open_socket, reset_channel_layers, send

pytestmark = pytest.mark.django_db(transaction=True)
db = database_sync_to_async


@pytest.fixture(autouse=True)
def _fresh_layers():
    reset_channel_layers()
    yield
    reset_channel_layers()


@pytest.fixture
def official(room):
    return add_participant(room.meeting, name="Trần Thị Đại Biểu").user


@pytest.fixture
def second_item(room):
    return AgendaItem.objects.create(meeting=room.meeting, title="Báo cáo tình hình", position=1)


async def test_participant_gets_a_snapshot_with_the_meeting_state_and_seq(room, official):
    socket, first = await open_socket(official, room.meeting.pk)
    assert first["type"] == "snapshot"
    assert isinstance(first["seq"], int)
    state = first["payload"]
    assert state["meeting"]["status"] == "in_progress"
    assert [row["title"] for row in state["agenda"]] == [room.item.title]
    assert state["me"]["can_vote"] is True and state["me"]["is_staff"] is False
    assert "roll" not in state  # the roll (names, arrival times) is for the staff
    await socket.disconnect()


async def test_outsider_is_refused_with_4403(room):
    outsider = await db(make_user)(full_name="Người Ngoài")
    socket, first = await open_socket(outsider, room.meeting.pk)
    assert first["type"] == "error" and first["payload"]["code"] == "forbidden"
    closed = await socket.receive_output(timeout=2)
    assert closed == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}


async def test_anonymous_is_refused_with_4403(room):
    socket, first = await open_socket(None, room.meeting.pk)
    assert first["payload"]["code"] == "forbidden"
    assert (await socket.receive_output(timeout=2))["code"] == CLOSE_FORBIDDEN


async def test_foreign_origin_is_refused_before_the_consumer(room, official):
    _, first = await open_socket(official, room.meeting.pk, origin="https://evil.example")
    assert first is None


async def test_clerk_of_the_host_body_may_connect_and_sees_the_roll(room):
    socket, first = await open_socket(room.clerk, room.meeting.pk)
    assert first["payload"]["me"]["is_staff"] is True
    assert [row["name"] for row in first["payload"]["roll"]] == [room.chair.full_name]
    await socket.disconnect()


async def test_event_reaches_every_socket_with_the_next_seq(room, official, second_item):
    chair, chair_first = await open_socket(room.chair, room.meeting.pk)
    member, member_first = await open_socket(official, room.meeting.pk)
    await db(live_services.item_set_current)(
        actor=room.chair, meeting=room.meeting, item_id=second_item.pk
    )
    for socket, first in ((chair, chair_first), (member, member_first)):
        event = await next_of(socket, "item.current")
        assert event["seq"] == first["seq"] + 1
        assert event["payload"]["item_id"] == second_item.pk
        assert event["payload"]["speakers"]["queue"] == []
    await chair.disconnect()
    await member.disconnect()


async def test_nothing_is_published_when_the_transaction_rolls_back(room, official):
    socket, first = await open_socket(official, room.meeting.pk)

    def failing_change() -> None:
        with transaction.atomic():
            live_publish(room.meeting.pk, "message", {"text": "không gửi"})
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await db(failing_change)()
    await db(live_services.message_send)(
        actor=room.chair, meeting=room.meeting, text="Nghỉ giải lao"
    )
    event = await next_of(socket, "message")
    # The rolled-back number was never taken: the next event follows the snapshot directly.
    assert event["seq"] == first["seq"] + 1
    assert event["payload"]["text"] == "Nghỉ giải lao"
    await socket.disconnect()


async def test_forged_and_malformed_messages_get_an_error_and_the_socket_stays(room, official):
    socket, _ = await open_socket(official, room.meeting.pk)
    for bad in (
        "not json",
        json.dumps(["type", "ping"]),
        json.dumps({"type": "item.current", "payload": {"item_id": 1}}),  # a chair event
        json.dumps({"type": "ballot.cast", "payload": "x"}),
        json.dumps({"type": "ballot.cast", "payload": {"poll_id": "1", "option_ids": []}}),
        "x" * 5000,
    ):
        await socket.send_to(text_data=bad)
        error = await next_of(socket, "error")
        assert error["payload"]["code"] == "invalid"
        assert error["payload"]["message"]
    await send(socket, "ping", ref="still-here")
    pong = await next_of(socket, "pong")
    assert pong["payload"]["ref"] == "still-here"
    await socket.disconnect()


async def test_a_flooding_socket_is_closed_with_4429(room, official):
    socket, _ = await open_socket(official, room.meeting.pk)
    for _ in range(60):
        await send(socket, "ping")
    while True:
        output = await socket.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            assert output["code"] == CLOSE_FLOOD
            break


async def test_a_gap_is_noticed_and_a_new_snapshot_catches_up(room, official, second_item):
    socket, first = await open_socket(official, room.meeting.pk)
    # An event lost on the way (Redis restarting): its number was taken, nothing arrived.
    await db(_take_seq_silently)(room.meeting.pk)
    await db(live_services.item_set_current)(
        actor=room.chair, meeting=room.meeting, item_id=second_item.pk
    )
    event = await next_of(socket, "item.current")
    assert event["seq"] == first["seq"] + 2  # the client sees the gap…
    await send(socket, "snapshot.get")  # …and asks for a snapshot
    fresh = await next_of(socket, "snapshot")
    assert fresh["seq"] == event["seq"]
    assert fresh["payload"]["item"]["item_id"] == second_item.pk
    await socket.disconnect()


def _take_seq_silently(meeting_id: int) -> None:
    with transaction.atomic():
        next_seq(meeting_id)


async def test_ping_reports_the_database_seq_so_a_silent_loss_is_found(room, official):
    socket, first = await open_socket(official, room.meeting.pk)
    await db(_take_seq_silently)(room.meeting.pk)
    await db(_expire_seq_cache)()
    await send(socket, "ping")
    pong = await next_of(socket, "pong")
    assert pong["payload"]["seq"] == first["seq"] + 1
    await socket.disconnect()


def _expire_seq_cache() -> None:
    from meetings.live.hub import _hubs

    for found in _hubs.values():
        found._seq_cache.clear()


async def test_ballot_over_the_socket_is_acknowledged_to_the_caster_only(room, official):
    poll = await db(_open_poll)(room)
    voter, _ = await open_socket(official, room.meeting.pk)
    chair, _ = await open_socket(room.chair, room.meeting.pk)
    yes = await db(lambda: poll.options.get(key="yes").pk)()
    await send(voter, "ballot.cast", poll_id=poll.pk, option_ids=[yes], ref="b1")
    ack = await next_of(voter, "ballot.ack")
    assert ack["payload"] == {
        "poll_id": poll.pk,
        "already_recorded": False,
        "message": "Đã ghi nhận phiếu của bạn.",
        "ref": "b1",
    }
    progress = await next_of(chair, "poll.progress")
    assert progress["payload"]["cast"] == 1
    voters = await next_of(chair, "poll.voters")  # the chair's "not voted yet" list
    assert official.full_name not in voters["payload"]["not_voted"]
    assert room.chair.full_name in voters["payload"]["not_voted"]
    # A retry is acknowledged again, counted once.
    await send(voter, "ballot.cast", poll_id=poll.pk, option_ids=[yes], ref="b2")
    again = await next_of(voter, "ballot.ack")
    assert again["payload"]["already_recorded"] is True
    await voter.disconnect()
    await chair.disconnect()


async def test_refused_ballots_get_a_clear_error_and_count_nothing(room, official):
    poll = await db(_open_poll)(room)
    guest = await db(add_participant)(room.meeting, name="Khách Mời", role=ParticipantRole.GUEST)
    socket, _ = await open_socket(guest.user, room.meeting.pk)
    yes = await db(lambda: poll.options.get(key="yes").pk)()
    await send(socket, "ballot.cast", poll_id=poll.pk, option_ids=[yes], ref="g")
    error = await next_of(socket, "error")
    assert error["payload"]["code"] == "refused"
    assert "không có quyền biểu quyết" in error["payload"]["message"]
    member, _ = await open_socket(official, room.meeting.pk)
    await send(member, "ballot.cast", poll_id=poll.pk, option_ids=[999999])
    assert "Phương án" in (await next_of(member, "error"))["payload"]["message"]
    await send(member, "ballot.cast", poll_id=987654, option_ids=[yes])
    assert "không thuộc cuộc họp" in (await next_of(member, "error"))["payload"]["message"]
    await db(live_services.live_poll_close)(actor=room.chair, meeting=room.meeting, poll_id=poll.pk)
    closed = await next_of(member, "poll.closed")
    assert closed["payload"]["poll"]["result"]["cast"] == 0
    await send(member, "ballot.cast", poll_id=poll.pk, option_ids=[yes])
    assert "đã kết thúc" in (await next_of(member, "error"))["payload"]["message"]
    await socket.disconnect()
    await member.disconnect()


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


async def test_staff_only_events_do_not_reach_officials(room, official):
    member, _ = await open_socket(official, room.meeting.pk)
    clerk, _ = await open_socket(room.clerk, room.meeting.pk)
    participant = await db(lambda: official.participations.get(meeting=room.meeting))()
    await db(attendance.live_check_in_clear)(actor=room.clerk, participant=participant)
    roll = await next_of(clerk, "roll")
    assert any(row["name"] == official.full_name for row in roll["payload"]["roll"])
    quorum = await next_of(member, "attendance")
    assert quorum["payload"]["present"] == 1
    # The official's next message is the next numbered event, never the staff "roll".
    await db(live_services.message_send)(actor=room.chair, meeting=room.meeting, text="Tiếp tục")
    following = await member.receive_json_from(timeout=5)
    assert following["type"] == "message"
    await member.disconnect()
    await clerk.disconnect()


async def test_speaker_request_over_the_socket_shows_in_every_queue(room, official):
    await db(_make_current)(room)
    member, _ = await open_socket(official, room.meeting.pk)
    chair, _ = await open_socket(room.chair, room.meeting.pk)
    await send(member, "speaker.request", kind="question", ref="s1")
    ack = await next_of(member, "speaker.ack")
    queue = (await next_of(chair, "speakers"))["payload"]["queue"]
    assert [(row["id"], row["kind"]) for row in queue] == [
        (ack["payload"]["request_id"], "question")
    ]
    await send(member, "speaker.request", kind="speech")
    assert "đã đăng ký" in (await next_of(member, "error"))["payload"]["message"]
    await db(speakers.speaker_grant)(
        actor=room.chair, meeting=room.meeting, request_id=ack["payload"]["request_id"]
    )
    speaking = (await next_of(member, "speakers"))["payload"]
    assert speaking["queue"][0]["status"] == "speaking" and speaking["limit"] == 300
    await member.disconnect()
    await chair.disconnect()


def _make_current(room) -> None:
    live_services.item_set_current(actor=room.chair, meeting=room.meeting, item_id=room.item.pk)


async def test_reconnect_gets_a_snapshot_with_the_current_state(room, official, second_item):
    socket, first = await open_socket(official, room.meeting.pk)
    await socket.disconnect()
    await db(live_services.item_set_current)(
        actor=room.chair, meeting=room.meeting, item_id=second_item.pk
    )
    socket, again = await open_socket(official, room.meeting.pk)
    assert again["seq"] == first["seq"] + 1
    assert again["payload"]["item"]["item_id"] == second_item.pk
    state = await db(lambda: LiveState.objects.get(meeting=room.meeting).seq)()
    assert again["seq"] == state
    await socket.disconnect()


async def test_a_failed_publish_keeps_the_change_and_ping_reveals_it(room, official, monkeypatch):
    """Redis down at the moment of publishing: the change stays, screens catch up by ping."""
    from channels.layers import get_channel_layer
    from redis.exceptions import ConnectionError as RedisConnectionError

    socket, first = await open_socket(official, room.meeting.pk)
    layer = get_channel_layer()

    async def refuse(group: str, message: dict) -> None:
        raise RedisConnectionError("Redis đang khởi động lại")

    monkeypatch.setattr(layer, "group_send", refuse)
    await db(live_services.message_send)(actor=room.chair, meeting=room.meeting, text="Tạm dừng")
    await db(_expire_seq_cache)()
    await send(socket, "ping")
    pong = await next_of(socket, "pong")
    assert pong["payload"]["seq"] == first["seq"] + 1
    await send(socket, "snapshot.get")
    fresh = await next_of(socket, "snapshot")
    assert fresh["payload"]["message"]["text"] == "Tạm dừng"
    await socket.disconnect()
