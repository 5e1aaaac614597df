"""Named results on screen: who voted what travels with a closed named poll, never a secret one."""

from __future__ import annotations

import json

import pytest

from meetings.live import services as live_services
from meetings.live.selectors import live_access, snapshot
from meetings.models import PollKind
from meetings.voting import ballots

pytestmark = pytest.mark.django_db


def _vote_and_close(room, voters, *, secret: bool):
    live_services.item_set_current(actor=room.chair, meeting=room.meeting, item_id=room.item.pk)
    draft = live_services.live_poll_create(
        actor=room.chair,
        meeting=room.meeting,
        item_id=room.item.pk,
        title="Thông qua kế hoạch",
        kind=PollKind.YES_NO_ABSTAIN,
        secret=secret,
    )
    poll = live_services.live_poll_open(
        actor=room.chair, meeting=room.meeting, poll_id=draft.pk, override_reason="Kiểm thử"
    )
    keys = {o.key: o.pk for o in poll.options.all()}
    an, binh = voters(2)
    ballots.ballot_cast(actor=an.user, poll=poll, option_ids=[keys["yes"]])
    ballots.ballot_cast(actor=binh.user, poll=poll, option_ids=[keys["no"]])
    ballots.ballot_cast(actor=room.chair, poll=poll, option_ids=[keys["yes"]])
    return live_services.live_poll_close(actor=room.chair, meeting=room.meeting, poll_id=poll.pk)


def _screen_poll(room, user):
    access = live_access(user, room.meeting.pk)
    (poll,) = snapshot(room.meeting.pk, access)["state"]["polls"]
    return poll


def test_a_closed_named_poll_shows_who_chose_each_option(room, voters):
    _vote_and_close(room, voters, secret=False)
    poll = _screen_poll(room, room.chair)
    assert poll["voters"] == {
        "yes": ["Nguyễn Văn Chủ Tịch", "Thành Viên Số 0"],
        "no": ["Thành Viên Số 1"],
    }


def test_a_secret_poll_carries_no_name_on_any_screen(room, voters):
    _vote_and_close(room, voters, secret=True)
    for user in (room.chair, room.clerk):
        poll = _screen_poll(room, user)
        assert poll["voters"] is None
        text = json.dumps(poll, ensure_ascii=False)
        for name in ("Thành Viên Số 0", "Thành Viên Số 1", "Nguyễn Văn Chủ Tịch"):
            assert name not in text


def test_an_open_named_poll_shows_no_choices_yet(room, voters):
    live_services.item_set_current(actor=room.chair, meeting=room.meeting, item_id=room.item.pk)
    draft = live_services.live_poll_create(
        actor=room.chair,
        meeting=room.meeting,
        item_id=room.item.pk,
        title="Thông qua kế hoạch",
        kind=PollKind.YES_NO_ABSTAIN,
        secret=False,
    )
    poll = live_services.live_poll_open(
        actor=room.chair, meeting=room.meeting, poll_id=draft.pk, override_reason="Kiểm thử"
    )
    (an,) = voters(1)
    ballots.ballot_cast(actor=an.user, poll=poll, option_ids=[poll.options.get(key="yes").pk])
    assert _screen_poll(room, room.chair)["voters"] is None
