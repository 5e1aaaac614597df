"""Votes: one ballot per voter enforced by the database, exact tallies, secret ballots unlinked."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from meetings.models import (
    Ballot,
    BallotChoice,
    EligibleVoters,
    Meeting,
    MeetingStatus,
    ParticipantRole,
    Poll,
    PollKind,
    PollOption,
    PollStatus,
    Rsvp,
    SecretChoice,
    VoteReceipt,
    VotingRule,
)
from meetings.voting import ballots
from meetings.voting.ballots import (
    ballot_cast,
    poll_close,
    poll_create,
    poll_open,
    poll_progress,
)
from meetings.voting.rules import Base, Threshold, TiePolicy
from meetings.voting.rules import PollKind as RuleKind
from tests.meetings.helpers import add_participant


def make_poll(
    room,
    *,
    kind=PollKind.YES_NO_ABSTAIN,
    secret=False,
    options=None,
    max_choices=1,
    show_live_tally=False,
) -> Poll:
    return poll_create(
        actor=room.clerk,
        item=room.item,
        title="Thông qua Tờ trình số 45",
        kind=kind,
        secret=secret,
        options=options,
        max_choices=max_choices,
        show_live_tally=show_live_tally,
    )


def opened(room, **kwargs) -> Poll:
    return poll_open(actor=room.chair, poll=make_poll(room, **kwargs))


def option(poll: Poll, key: str) -> int:
    return PollOption.objects.get(poll=poll, key=key).pk


def cast(participant, poll, *keys):
    return ballot_cast(
        actor=participant.user, poll=poll, option_ids=[option(poll, k) for k in keys]
    )


@pytest.fixture
def quorate(room, voters):
    """Chair plus 9: 10 of 15 present, exactly the 2/3 quorum."""
    return [room.chair_participant, *voters(9)]


# --- Opening ------------------------------------------------------------------------------------


def test_model_choices_mirror_the_pure_rules():
    from meetings.models import RuleBase, RuleThreshold, RuleTiePolicy

    assert set(RuleBase.values) == {b.value for b in Base}
    assert set(RuleThreshold.values) == {t.value for t in Threshold}
    assert set(RuleTiePolicy.values) == {t.value for t in TiePolicy}
    assert set(PollKind.values) == {k.value for k in RuleKind}


def test_chair_opens_with_quorum_and_the_rule_is_copied(room, quorate):
    poll = opened(room)
    assert poll.status == PollStatus.OPEN and poll.opened_by == room.chair
    assert poll.rule_snapshot["base"] == "all_members"
    assert poll.rule_snapshot["threshold"] == "more_than_half"
    assert poll.quorum_at_open == {"met": True, "present": 10, "total_members": 15, "required": 10}
    assert [o.key for o in poll.options.all()] == ["yes", "no", "abstain"]


def test_without_quorum_the_poll_stays_closed(room, voters):
    voters(8)
    poll = make_poll(room)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match=r"Không thể mở biểu quyết\. Chưa đủ số thành viên"):
        poll_open(actor=room.chair, poll=poll)
    poll.refresh_from_db()
    assert poll.status == PollStatus.DRAFT and AuditEvent.objects.count() == events


def test_chair_overrides_missing_quorum_with_a_recorded_reason(room, voters):
    voters(3)
    poll = poll_open(
        actor=room.chair, poll=make_poll(room), override_reason="Nội dung khẩn cấp theo chỉ đạo"
    )
    assert poll.status == PollStatus.OPEN and poll.quorum_overridden_by == room.chair
    assert poll.quorum_override_reason == "Nội dung khẩn cấp theo chỉ đạo"
    event = AuditEvent.objects.get(verb="poll.opened", object_id=str(poll.pk))
    assert event.details["override_reason"] == "Nội dung khẩn cấp theo chỉ đạo"
    assert event.details["quorum"]["met"] is False


def test_only_the_chair_opens_and_only_during_the_meeting(room, quorate):
    poll = make_poll(room)
    with pytest.raises(ValidationError, match="Chỉ người chủ trì"):
        poll_open(actor=room.clerk, poll=poll)
    Meeting.objects.filter(pk=room.meeting.pk).update(status=MeetingStatus.INVITED)
    with pytest.raises(ValidationError, match="đang diễn ra"):
        poll_open(actor=room.chair, poll=poll)


def test_poll_definitions_are_checked(room):
    with pytest.raises(ValidationError, match="ít nhất hai phương án"):
        make_poll(room, kind=PollKind.ONE_OF_N, options=["Chỉ một"])
    with pytest.raises(ValidationError, match="trùng nhau"):
        make_poll(room, kind=PollKind.ONE_OF_N, options=["A", "A"])
    with pytest.raises(ValidationError, match="tối đa phải từ 1 đến 3"):
        make_poll(room, kind=PollKind.SEVERAL_OF_N, options=["A", "B", "C"], max_choices=4)
    with pytest.raises(ValidationError, match="kín không hiển thị kết quả"):
        make_poll(room, secret=True, show_live_tally=True)
    with pytest.raises(ValidationError, match="Chỉ người chủ trì, thư ký"):
        poll_create(actor=add_participant(room.meeting).user, item=room.item, title="x")


# --- Casting ------------------------------------------------------------------------------------


def test_named_ballot_is_acknowledged_and_audited(room, quorate):
    poll = opened(room)
    ack = cast(quorate[1], poll, "yes")
    assert not ack.already_recorded and ack.message == "Đã ghi nhận phiếu của bạn."
    ballot = Ballot.objects.get(poll=poll)
    assert ballot.voter == quorate[1].user
    assert list(ballot.choices.values_list("option__key", flat=True)) == ["yes"]
    event = AuditEvent.objects.get(verb="poll.ballot_cast")
    assert event.details == {"secret": False, "options": ["yes"]}


def test_identical_retry_returns_the_same_acknowledgement(room, quorate):
    poll = opened(room)
    first = cast(quorate[1], poll, "no")
    again = cast(quorate[1], poll, "no")
    assert again.already_recorded and again.cast_at == first.cast_at
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert BallotChoice.objects.filter(ballot__poll=poll).count() == 1
    assert AuditEvent.objects.filter(verb="poll.ballot_cast").count() == 1


def test_a_different_second_ballot_is_refused(room, quorate):
    poll = opened(room)
    cast(quorate[1], poll, "yes")
    with pytest.raises(ValidationError, match="Bạn đã bỏ phiếu"):
        cast(quorate[1], poll, "no")
    assert list(BallotChoice.objects.values_list("option__key", flat=True)) == ["yes"]


def test_the_database_itself_refuses_a_second_ballot(room, quorate):
    poll = opened(room)
    cast(quorate[1], poll, "yes")
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(poll=poll, voter=quorate[1].user, cast_at=timezone.now())
    secret = opened(room, secret=True)
    cast(quorate[1], secret, "yes")
    with pytest.raises(IntegrityError), transaction.atomic():
        VoteReceipt.objects.create(poll=secret, voter=quorate[1].user, cast_at=timezone.now())


@pytest.mark.parametrize(("same", "outcome"), [(True, "ack"), (False, "refused")])
def test_a_racing_duplicate_is_caught_by_the_constraint(room, quorate, monkeypatch, same, outcome):
    """Another worker inserts between our check and our insert: the constraint decides."""
    poll = opened(room)
    voter = quorate[1]
    rival = Ballot.objects.create(poll=poll, voter=voter.user, cast_at=timezone.now())
    BallotChoice.objects.create(ballot=rival, option_id=option(poll, "yes"))
    real = ballots._ack_existing
    calls = []

    def blind_first(*args):
        calls.append(1)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(ballots, "_ack_existing", blind_first)
    if outcome == "ack":
        assert cast(voter, poll, "yes").already_recorded
    else:
        with pytest.raises(ValidationError, match="Bạn đã bỏ phiếu"):
            cast(voter, poll, "no")
    assert len(calls) == 2 and Ballot.objects.filter(poll=poll).count() == 1
    assert BallotChoice.objects.filter(ballot__poll=poll).count() == 1


def _nothing_written(poll):
    return (
        Ballot.objects.filter(poll=poll).count(),
        VoteReceipt.objects.count(),
        SecretChoice.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("guest", "không có quyền biểu quyết"),
        ("observer", "không có quyền biểu quyết"),
        ("outsider", "không có trong danh sách"),
        ("not_checked_in", "chưa điểm danh"),
        ("sent_substitute", "đã cử người dự thay"),
    ],
)
def test_ineligible_voters_are_refused(room, quorate, setup, message):
    poll = opened(room)
    if setup == "outsider":
        from tests.factories import make_user

        actor = make_user(full_name="Người Ngoài")
    else:
        role = {"guest": ParticipantRole.GUEST, "observer": ParticipantRole.OBSERVER}.get(
            setup, ParticipantRole.VOTING
        )
        rsvp = Rsvp.SUBSTITUTE if setup == "sent_substitute" else Rsvp.PENDING
        actor = add_participant(
            room.meeting, role=role, rsvp=rsvp, checked_in=setup != "not_checked_in"
        ).user
    before = _nothing_written(poll)
    with pytest.raises(ValidationError, match=message):
        ballot_cast(actor=actor, poll=poll, option_ids=[option(poll, "yes")])
    assert _nothing_written(poll) == before


def test_all_members_policy_lets_those_not_checked_in_vote_but_not_the_absent(room, quorate):
    VotingRule.objects.create(body=room.body, eligible_voters=EligibleVoters.ALL_MEMBERS)
    poll = opened(room)
    late = add_participant(room.meeting, checked_in=False)
    assert not cast(late, poll, "yes").already_recorded
    absent = add_participant(room.meeting, checked_in=False, rsvp=Rsvp.ABSENT)
    with pytest.raises(ValidationError, match="báo vắng"):
        cast(absent, poll, "yes")


def test_a_substitute_votes_for_the_invitee(room, quorate):
    invitee = add_participant(room.meeting, rsvp=Rsvp.SUBSTITUTE)
    substitute = add_participant(room.meeting, name="Người Dự Thay", substitute_for=invitee)
    poll = opened(room)
    assert not cast(substitute, poll, "yes").already_recorded
    with pytest.raises(ValidationError, match="cử người dự thay"):
        cast(invitee, poll, "yes")


@pytest.mark.parametrize(
    ("option_ids", "message"),
    [
        ([], "chưa chọn"),
        (["x"], "không hợp lệ"),
        ([None], "không hợp lệ"),
        ("foreign", "không thuộc nội dung"),
        ("two", "tối đa 1"),
        ("dup", "một lần"),
    ],
)
def test_bad_option_lists_are_refused(room, quorate, option_ids, message):
    poll = opened(room)
    other = opened(room)
    yes, no = option(poll, "yes"), option(poll, "no")
    if isinstance(option_ids, str):
        option_ids = {"foreign": [option(other, "yes")], "two": [yes, no], "dup": [yes, yes]}[
            option_ids
        ]
    before = _nothing_written(poll)
    with pytest.raises(ValidationError, match=message):
        ballot_cast(actor=quorate[1].user, poll=poll, option_ids=option_ids)
    assert _nothing_written(poll) == before


def test_no_ballot_before_opening_or_after_closing(room, quorate):
    poll = make_poll(room)
    with pytest.raises(ValidationError, match="chưa được mở"):
        cast(quorate[1], poll, "yes")
    poll = poll_open(actor=room.chair, poll=poll)
    poll_close(actor=room.chair, poll=poll)
    with pytest.raises(ValidationError, match="đã kết thúc"):
        cast(quorate[1], poll, "yes")
    assert Ballot.objects.filter(poll=poll).count() == 0


# --- Closing and results ------------------------------------------------------------------------


def test_close_applies_the_rule_to_database_counts(room, quorate):
    poll = opened(room)
    for voter in quorate[:8]:
        cast(voter, poll, "yes")
    cast(quorate[8], poll, "no")
    cast(quorate[9], poll, "abstain")
    with pytest.raises(ValidationError, match="Chỉ người chủ trì"):
        poll_close(actor=quorate[1].user, poll=poll)
    poll = poll_close(actor=room.chair, poll=poll)
    assert poll.status == PollStatus.CLOSED and poll.closed_by == room.chair
    result = poll.result
    assert result["passed"] is True and result["required"] == 8
    assert [(o["key"], o["count"]) for o in result["options"]] == [
        ("yes", 8),
        ("no", 1),
        ("abstain", 1),
    ]
    assert result["explanation"] == (
        "Thông qua: 8/15 thành viên tán thành (53,33%), "
        "cần hơn 1/2 tổng số thành viên (tối thiểu 8)."
    )
    event = AuditEvent.objects.get(verb="poll.closed")
    assert event.details["counts"] == {"yes": 8, "no": 1, "abstain": 1}
    assert poll_close(actor=room.chair, poll=poll).closed_at == poll.closed_at  # idempotent
    assert AuditEvent.objects.filter(verb="poll.closed").count() == 1


def test_rule_edits_after_opening_do_not_change_the_result(room, quorate):
    rule = VotingRule.objects.create(body=room.body)
    poll = opened(room)
    rule.threshold = Threshold.AT_LEAST_TWO_THIRDS
    rule.save()
    for voter in quorate[:8]:
        cast(voter, poll, "yes")
    assert poll_close(actor=room.chair, poll=poll).result["passed"] is True


def test_on_a_tie_the_chairs_side_wins(room, voters):
    room.body.total_members = 14
    room.body.save()
    others = voters(13)
    poll = opened(room)
    cast(room.chair_participant, poll, "yes")
    for voter in others[:6]:
        cast(voter, poll, "yes")
    for voter in others[6:]:
        cast(voter, poll, "no")
    result = poll_close(actor=room.chair, poll=poll).result
    assert result["passed"] and result["tie"] and result["tie_broken_by_chair"]
    assert "theo ý kiến của người chủ trì (Tán thành)" in result["explanation"]


def test_several_of_n_counts_each_option(room, quorate):
    poll = opened(
        room, kind=PollKind.SEVERAL_OF_N, options=["Đề án A", "Đề án B", "Đề án C"], max_choices=2
    )
    for voter in quorate[:8]:
        cast(voter, poll, "1", "2")
    cast(quorate[8], poll, "3")
    with pytest.raises(ValidationError, match="tối đa 2"):
        cast(quorate[9], poll, "1", "2", "3")
    result = poll_close(actor=room.chair, poll=poll).result
    assert result["winners"] == ["1", "2"] and result["cast"] == 9
    assert [o["count"] for o in result["options"]] == [8, 8, 1]


def test_progress_lists_who_has_not_voted_on_a_named_poll(room, voters):
    voters(9)
    poll = opened(room, show_live_tally=True)
    cast(room.chair_participant, poll, "yes")
    progress = poll_progress(poll)
    assert progress.cast == 1 and progress.eligible == 10
    assert len(progress.not_voted) == 9 and "Nguyễn Văn Chủ Tịch" not in progress.not_voted
    assert progress.live_tally == {"yes": 1, "no": 0, "abstain": 0}


def test_two_hundred_voters_are_counted_exactly(room):
    room.body.total_members = 250
    room.body.save()
    users = User.objects.bulk_create(
        User(username=f"dbieu{n}", full_name=f"Đại Biểu {n:03d}") for n in range(200)
    )
    participants = [add_participant(room.meeting, user=u) for u in users]
    poll = opened(room)
    keys = ["yes", "no", "abstain"]
    expected = dict.fromkeys(keys, 0)
    for n, voter in enumerate(participants):
        key = keys[(n * 7) % 3] if n % 5 else "yes"
        cast(voter, poll, key)
        expected[key] += 1
        if n % 10 == 0:  # a reconnecting tablet sends the same ballot again
            assert cast(voter, poll, key).already_recorded
    result = poll_close(actor=room.chair, poll=poll).result
    assert {o["key"]: o["count"] for o in result["options"]} == expected
    assert result["cast"] == 200 == Ballot.objects.filter(poll=poll).count()
    assert result["passed"] is (expected["yes"] * 2 > 250)


# --- Secret ballots -----------------------------------------------------------------------------


def test_secret_choice_has_no_column_that_leads_to_the_voter():
    fields = {f.name: f for f in SecretChoice._meta.get_fields()}
    assert set(fields) == {"id", "poll", "option"}
    assert isinstance(fields["id"], models.UUIDField) and fields["id"].primary_key
    relations = {f.name: f.related_model for f in fields.values() if f.is_relation}
    assert relations == {"poll": Poll, "option": PollOption}
    assert not SecretChoice._meta.ordering
    receipt_fields = {f.name for f in VoteReceipt._meta.get_fields()}
    assert not receipt_fields & {"option", "options", "choice", "choices", "secret_choice"}


def test_secret_poll_keeps_who_apart_from_what(room, quorate):
    poll = opened(room, kind=PollKind.CONFIDENCE, secret=True)
    for n, voter in enumerate(quorate):
        cast(voter, poll, ["high", "medium", "low"][n % 3])
    assert VoteReceipt.objects.filter(poll=poll).count() == 10
    assert Ballot.objects.filter(poll=poll).count() == 0
    before_ids = set(SecretChoice.objects.values_list("id", flat=True))
    progress = poll_progress(poll)
    assert progress.cast == 10 and progress.not_voted is None and progress.live_tally is None
    result = poll_close(actor=room.chair, poll=poll).result
    assert [o["count"] for o in result["options"]] == [4, 3, 3]
    # Rewritten at close: the same counts, none of the rows written while ballots arrived.
    after_ids = set(SecretChoice.objects.values_list("id", flat=True))
    assert len(after_ids) == 10 and not before_ids & after_ids
    cast_events = AuditEvent.objects.filter(verb="poll.ballot_cast", object_id=str(poll.pk))
    assert cast_events.count() == 10
    assert all(event.details == {"secret": True} for event in cast_events)
    closed = AuditEvent.objects.get(verb="poll.closed", object_id=str(poll.pk))
    assert set(closed.details) == {"counts", "cast", "passed", "explanation"}
    assert closed.details["counts"] == {"high": 4, "medium": 3, "low": 3}
    poll.refresh_from_db()
    assert poll_progress(poll).not_voted == []


def test_secret_repeat_is_acknowledged_but_never_changes_anything(room, quorate):
    poll = opened(room, secret=True)
    cast(quorate[1], poll, "yes")
    again = cast(quorate[1], poll, "no")
    assert again.already_recorded and "không thể thay đổi" in again.message
    assert list(SecretChoice.objects.values_list("option__key", flat=True)) == ["yes"]


def test_secret_tie_cannot_know_the_chairs_side(room, voters):
    room.body.total_members = 14
    room.body.save()
    others = voters(13)
    poll = opened(room, secret=True)
    cast(room.chair_participant, poll, "yes")
    for n, voter in enumerate(others):
        cast(voter, poll, "yes" if n < 6 else "no")
    result = poll_close(actor=room.chair, poll=poll).result
    assert result["tie"] and not result["passed"]
    assert "biểu quyết kín" in result["explanation"]
