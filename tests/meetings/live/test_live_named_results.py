"""Named results on screen: who voted what goes to the staff's screens (the chair's console,
the room screen) once a named poll is closed, never for a secret one, never in the broadcast
every tablet gets."""

from __future__ import annotations

import json

import pytest

from meetings.live import hub
from meetings.live import services as live_services
from meetings.live.selectors import live_access, snapshot
from meetings.models import PollKind
from meetings.voting import ballots

# Real commits, so events go out exactly when they would in production (after commit).
pytestmark = pytest.mark.django_db(transaction=True)
NAMES = ("Thành Viên Số 0", "Thành Viên Số 1", "Nguyễn Văn Chủ Tịch")


@pytest.fixture
def published(monkeypatch):
    """Every live event sent after commit, decoded: [(type, payload, staff)]."""
    sent: list[tuple[str, dict, bool]] = []

    def capture(meeting_id: int, seq: int | None, text: str, *, staff: bool) -> None:
        message = json.loads(text)
        sent.append((message["type"], message["payload"], staff))

    monkeypatch.setattr(hub, "_broadcast", capture)
    return sent


def _open(room, *, secret: bool):
    live_services.item_set_current(actor=room.chair, meeting=room.meeting, item_id=room.item.pk)
    draft = live_services.live_poll_create(
        actor=room.chair,
        meeting=room.meeting,
        item_id=room.item.pk,
        title="Thông qua kế hoạch",
        kind=PollKind.YES_NO_ABSTAIN,
        secret=secret,
    )
    return live_services.live_poll_open(
        actor=room.chair, meeting=room.meeting, poll_id=draft.pk, override_reason="Kiểm thử"
    )


def _vote_and_close(room, voters, *, secret: bool):
    poll = _open(room, secret=secret)
    keys = {o.key: o.pk for o in poll.options.all()}
    an, binh = voters(2)
    ballots.ballot_cast(actor=an.user, poll=poll, option_ids=[keys["yes"]])
    ballots.ballot_cast(actor=binh.user, poll=poll, option_ids=[keys["no"]])
    ballots.ballot_cast(actor=room.chair, poll=poll, option_ids=[keys["yes"]])
    live_services.live_poll_close(actor=room.chair, meeting=room.meeting, poll_id=poll.pk)
    return poll, an


def _state(room, user):
    return snapshot(room.meeting.pk, live_access(user, room.meeting.pk))["state"]


def test_the_staff_see_who_chose_each_option_once_a_named_poll_closes(room, voters, published):
    poll, _ = _vote_and_close(room, voters, secret=False)
    expected = {"yes": ["Nguyễn Văn Chủ Tịch", "Thành Viên Số 0"], "no": ["Thành Viên Số 1"]}
    for user in (room.chair, room.clerk):
        assert _state(room, user)["named"] == [{"poll_id": poll.pk, "voters": expected}]
    named = [(payload, staff) for kind, payload, staff in published if kind == "poll.named"]
    assert named == [({"poll_id": poll.pk, "voters": expected}, True)]


def test_the_broadcast_and_an_officials_screen_carry_no_names(room, voters, published):
    _, an = _vote_and_close(room, voters, secret=False)
    state = _state(room, an.user)
    assert "named" not in state
    everyone = [payload for kind, payload, staff in published if not staff]
    for text in (json.dumps(state, ensure_ascii=False), json.dumps(everyone, ensure_ascii=False)):
        for name in NAMES:
            assert name not in text


def test_a_secret_poll_carries_no_name_on_any_screen(room, voters, published):
    _vote_and_close(room, voters, secret=True)
    for user in (room.chair, room.clerk):
        state = _state(room, user)
        assert state["named"] == []
        (poll,) = state["polls"]
        for name in NAMES:
            assert name not in json.dumps(poll, ensure_ascii=False)
    assert [kind for kind, _, _ in published if kind == "poll.named"] == []


def test_an_open_named_poll_shows_no_choices_yet(room, voters):
    poll = _open(room, secret=False)
    (an,) = voters(1)
    ballots.ballot_cast(actor=an.user, poll=poll, option_ids=[poll.options.get(key="yes").pk])
    assert _state(room, room.chair)["named"] == []
