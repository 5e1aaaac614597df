"""Polls and ballots: creating, opening, casting, progress and closing, for a meeting's polls
and a written consultation's alike.

Counting is exact because the database does it: one ballot per voter is a unique constraint (a
racing duplicate fails at INSERT, whatever process it came from), and tallies are aggregate
queries at close, never counters kept in memory. Secret polls write who voted (``VoteReceipt``)
and what was chosen (``SecretChoice``) to tables with no link between them; the audit log and
every message here name the voter *or* the choice, never both.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypedDict

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Body, Membership, Role, User, nfc
from audit.services import audit_record
from meetings.access import FINISHED, is_chair, is_clerk, organises_body, refuse
from meetings.consultation.selectors import consultation_answer_refusal
from meetings.models import (
    AgendaItem,
    Ballot,
    BallotChoice,
    EligibleVoters,
    MeetingStatus,
    Participant,
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
from meetings.voting import rules
from meetings.voting.quorum import VOTING_ROLES, present_voters, quorum_state, rule_for_body
from meetings.voting.storage import secret_storage_scrub

# System-secure randomness: the order secret choices are rewritten in must not be predictable.
_shuffle = random.SystemRandom().shuffle


# --- Polls --------------------------------------------------------------------------------------

FIXED_OPTIONS: dict[str, list[tuple[str, str]]] = {
    PollKind.YES_NO_ABSTAIN: list(rules.MOTION_LABELS.items()),
    PollKind.CONFIDENCE: list(rules.CONFIDENCE_LABELS.items()),
}


def _option_rows(kind: str, labels: Sequence[str] | None) -> list[tuple[str, str]]:
    if kind in FIXED_OPTIONS:
        return FIXED_OPTIONS[kind]
    cleaned = [nfc(label) for label in labels or []]
    if len(cleaned) < 2 or any(not label for label in cleaned):
        refuse(gettext("Cần ít nhất hai phương án, mỗi phương án có nội dung."))
    if len(set(cleaned)) != len(cleaned):
        refuse(gettext("Các phương án không được trùng nhau."))
    return [(str(n), label) for n, label in enumerate(cleaned, start=1)]


def _max_choices(kind: str, max_choices: int, option_count: int) -> int:
    if kind != PollKind.SEVERAL_OF_N:
        return 1
    if not 1 <= max_choices <= option_count:
        refuse(
            gettext("Số phương án được chọn tối đa phải từ 1 đến %(count)d.")
            % {"count": option_count}
        )
    return max_choices


def poll_build(
    *,
    actor: User,
    body: Body,
    item: AgendaItem | None,
    title: str,
    kind: str,
    secret: bool,
    options: Sequence[str] | None,
    max_choices: int,
    subject_name: str,
    rule: VotingRule | None,
    show_live_tally: bool,
) -> Poll:
    if kind not in PollKind.values:
        refuse(gettext("Hình thức biểu quyết không hợp lệ."))
    if secret and show_live_tally:
        # Watching the tally move while ballots arrive one by one would reveal choices.
        refuse(gettext("Biểu quyết kín không hiển thị kết quả trong khi đang bỏ phiếu."))
    if rule is not None and rule.body_id != body.pk:
        refuse(gettext("Quy chế biểu quyết không thuộc cơ quan này."))
    rows = _option_rows(kind, options)
    poll = Poll(
        body=body,
        item=item,
        title=nfc(title),
        kind=kind,
        secret=secret,
        max_choices=_max_choices(kind, max_choices, len(rows)),
        subject_name=nfc(subject_name),
        rule=rule,
        show_live_tally=show_live_tally,
        created_by=actor,
    )
    poll.full_clean()
    poll.save()
    PollOption.objects.bulk_create(
        PollOption(poll=poll, key=key, label=label, position=n)
        for n, (key, label) in enumerate(rows)
    )
    return poll


@transaction.atomic
def poll_create(
    *,
    actor: User,
    item: AgendaItem,
    title: str,
    kind: str = PollKind.YES_NO_ABSTAIN,
    secret: bool = False,
    options: Sequence[str] | None = None,
    max_choices: int = 1,
    subject_name: str = "",
    rule: VotingRule | None = None,
    show_live_tally: bool = False,
) -> Poll:
    """A draft poll on an agenda item, prepared by the clerk or the chair."""
    meeting = item.meeting
    if not (is_clerk(actor, meeting) or is_chair(actor, meeting)):
        refuse(gettext("Chỉ người chủ trì, thư ký hoặc văn thư mới được tạo biểu quyết."))
    if meeting.status in FINISHED:
        refuse(gettext("Cuộc họp đã kết thúc hoặc đã hủy."))
    poll = poll_build(
        actor=actor,
        body=meeting.body,
        item=item,
        title=title,
        kind=kind,
        secret=secret,
        options=options,
        max_choices=max_choices,
        subject_name=subject_name,
        rule=rule,
        show_live_tally=show_live_tally,
    )
    audit_record(
        actor=actor,
        verb="poll.created",
        target=poll,
        details={"kind": kind, "secret": secret, "item": item.pk},
    )
    return poll


@transaction.atomic
def poll_open(*, actor: User, poll: Poll, override_reason: str | None = None) -> Poll:
    """The chair opens voting. Without quorum only with a stated reason, which is recorded."""
    poll = (
        Poll.objects.select_for_update(of=("self",))
        .select_related("item__meeting__body")
        .get(pk=poll.pk)
    )
    if poll.item is None:
        refuse(gettext("Phiếu lấy ý kiến được mở khi gửi, không mở tại cuộc họp."))
    meeting = poll.item.meeting
    if not is_chair(actor, meeting):
        refuse(gettext("Chỉ người chủ trì mới được mở biểu quyết."))
    if meeting.status != MeetingStatus.IN_PROGRESS:
        refuse(gettext("Chỉ mở biểu quyết khi cuộc họp đang diễn ra."))
    if poll.status != PollStatus.DRAFT:
        refuse(gettext("Biểu quyết này đã được mở."))
    stored = poll.rule or rule_for_body(meeting.body)
    quorum = quorum_state(meeting, stored)
    reason = nfc(override_reason or "")
    if not quorum.met and not reason:
        # The explanation is the rule's own Vietnamese sentence (the minutes quote it).
        refuse(
            gettext("Không thể mở biểu quyết. %(explanation)s")
            % {"explanation": quorum.explanation}
        )
    if not quorum.met:
        poll.quorum_overridden_by = actor
        poll.quorum_override_reason = reason
    poll_mark_open(poll, actor, stored)
    poll.quorum_at_open = {
        "met": quorum.met,
        "present": quorum.present,
        "total_members": quorum.total_members,
        "required": quorum.required,
    }
    poll.save()
    audit_record(
        actor=actor,
        verb="poll.opened",
        target=poll,
        details={"quorum": poll.quorum_at_open, "override_reason": reason},
    )
    return poll


def poll_mark_open(poll: Poll, actor: User, stored: VotingRule) -> None:
    # The rule is copied now: a clerk editing it tomorrow must not change today's result.
    poll.rule_snapshot = stored.snapshot()
    poll.status = PollStatus.OPEN
    poll.opened_at = timezone.now()
    poll.opened_by = actor


# --- Casting ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CastAck:
    """What the voter's screen shows, in their language. It names no option for a secret poll."""

    poll_id: int
    cast_at: datetime
    already_recorded: bool
    message: str


def _eligibility_error(poll: Poll, actor: User) -> str | None:
    """Why *actor* may not vote in *poll*, or None. Checked before anything is written."""
    item = poll.item
    if item is None:
        return _consultation_eligibility_error(poll, actor)
    participant = Participant.objects.filter(meeting_id=item.meeting_id, user=actor).first()
    if participant is None:
        return gettext("Bạn không có trong danh sách người dự họp.")
    if participant.rsvp == Rsvp.SUBSTITUTE:
        return gettext("Bạn đã cử người dự thay; người dự thay biểu quyết thay bạn.")
    if participant.role not in VOTING_ROLES:
        return gettext("Bạn dự họp với tư cách không có quyền biểu quyết.")
    present = participant.checked_in_at is not None
    assert poll.rule_snapshot is not None  # copied when the poll opened
    if poll.rule_snapshot.get("eligible_voters") == EligibleVoters.PRESENT and not present:
        return gettext("Bạn chưa điểm danh nên chưa thể biểu quyết.")
    if participant.rsvp == Rsvp.ABSENT and not present:
        return gettext("Bạn đã báo vắng mặt tại cuộc họp này.")
    return None


def _consultation_eligibility_error(poll: Poll, actor: User) -> str | None:
    return consultation_answer_refusal(actor, poll.consultation_question.consultation)


def _chosen_options(poll: Poll, option_ids: Iterable[Any]) -> list[PollOption]:
    try:
        wanted = [int(value) for value in option_ids]
    except (TypeError, ValueError):
        refuse(gettext("Phương án không hợp lệ."))
    if not wanted:
        refuse(gettext("Bạn chưa chọn phương án nào."))
    if len(set(wanted)) != len(wanted):
        refuse(gettext("Mỗi phương án chỉ được chọn một lần."))
    if len(wanted) > poll.max_choices:
        refuse(gettext("Chỉ được chọn tối đa %(count)d phương án.") % {"count": poll.max_choices})
    found = list(PollOption.objects.filter(poll=poll, pk__in=wanted))
    if len(found) != len(wanted):
        refuse(gettext("Phương án không thuộc nội dung biểu quyết này."))
    return found


def _ack_existing(poll: Poll, actor: User, chosen: Sequence[PollOption]) -> CastAck | None:
    """A retry of the same named ballot is acknowledged again; a different one is refused.

    A secret ballot cannot be compared (nothing links it to the voter), so any repeat gets the
    original acknowledgement and the voter is told it cannot be changed.
    """
    if poll.secret:
        receipt = VoteReceipt.objects.filter(poll=poll, voter=actor).first()
        if receipt is None:
            return None
        return CastAck(
            poll.pk,
            receipt.cast_at,
            True,
            gettext("Phiếu kín của bạn đã được ghi nhận trước đó; không thể thay đổi."),
        )
    ballot = Ballot.objects.filter(poll=poll, voter=actor).first()
    if ballot is None:
        return None
    previous = set(BallotChoice.objects.filter(ballot=ballot).values_list("option_id", flat=True))
    if previous != {option.pk for option in chosen}:
        refuse(gettext("Bạn đã bỏ phiếu; không thể thay đổi lựa chọn."))
    return CastAck(
        poll.pk, ballot.cast_at, True, gettext("Phiếu của bạn đã được ghi nhận trước đó.")
    )


def _write_ballot(poll: Poll, actor: User, chosen: Sequence[PollOption], now: datetime) -> None:
    """The unique constraint decides who was first; the loser's savepoint rolls back whole."""
    with transaction.atomic():
        if poll.secret:
            VoteReceipt.objects.create(poll=poll, voter=actor, cast_at=now)
            SecretChoice.objects.bulk_create(SecretChoice(poll=poll, option=o) for o in chosen)
        else:
            ballot = Ballot.objects.create(poll=poll, voter=actor, cast_at=now)
            BallotChoice.objects.bulk_create(BallotChoice(ballot=ballot, option=o) for o in chosen)


@transaction.atomic
def ballot_cast(*, actor: User, poll: Poll, option_ids: Sequence[Any]) -> CastAck:
    """Cast one ballot. Idempotent for an identical retry; every refusal writes nothing."""
    poll = Poll.objects.select_related("item").get(pk=poll.pk)
    if poll.status == PollStatus.DRAFT:
        refuse(gettext("Biểu quyết chưa được mở."))
    if poll.status == PollStatus.CLOSED:
        refuse(gettext("Biểu quyết đã kết thúc; không nhận thêm phiếu."))
    problem = _eligibility_error(poll, actor)
    if problem:
        refuse(problem)
    chosen = _chosen_options(poll, option_ids)
    existing = _ack_existing(poll, actor, chosen)
    if existing:
        return existing
    now = timezone.now()
    try:
        _write_ballot(poll, actor, chosen, now)
    except IntegrityError:
        # Another request from the same voter got in first (double tap, second worker).
        existing = _ack_existing(poll, actor, chosen)
        if existing is None:
            raise
        return existing
    # Re-read after writing: a close that committed meanwhile (PostgreSQL, READ COMMITTED)
    # is seen here, and this ballot is rolled back rather than left outside the tally.
    if not Poll.objects.filter(pk=poll.pk, status=PollStatus.OPEN).exists():
        refuse(gettext("Biểu quyết đã kết thúc; không nhận thêm phiếu."))
    details: dict[str, Any] = {"secret": poll.secret}
    if not poll.secret:
        details["options"] = sorted(option.key for option in chosen)
    audit_record(actor=actor, verb="poll.ballot_cast", target=poll, details=details)
    return CastAck(poll.pk, now, False, gettext("Đã ghi nhận phiếu của bạn."))


# --- Progress and close -------------------------------------------------------------------------


def eligible_voter_names(poll: Poll) -> dict[int, str]:
    """user id → full name of everyone who may vote in *poll* right now."""
    item = poll.item
    if item is None:
        recipients = poll.consultation_question.consultation.recipients
        return dict(recipients.values_list("user_id", "user__full_name"))
    voters = Participant.objects.filter(meeting_id=item.meeting_id, role__in=VOTING_ROLES)
    voters = voters.exclude(rsvp=Rsvp.SUBSTITUTE)
    if (poll.rule_snapshot or {}).get("eligible_voters") == EligibleVoters.PRESENT:
        voters = voters.filter(checked_in_at__isnull=False)
    else:
        voters = voters.exclude(rsvp=Rsvp.ABSENT, checked_in_at__isnull=True)
    # Plain pairs, not model instances: progress and snapshots read this for every voter of a
    # 2,000-seat session several times a second, and building instances was most of the cost.
    return dict(voters.order_by().values_list("user_id", "user__full_name"))


def _voted_user_ids(poll: Poll) -> set[int]:
    table = VoteReceipt if poll.secret else Ballot
    return set(table.objects.filter(poll=poll).values_list("voter_id", flat=True))


@dataclass(frozen=True)
class PollProgress:
    cast: int
    eligible: int
    # Names only on named polls while open: on a secret poll, watching names leave the list
    # one by one next to the room would pair faces with moments. Shown once the poll is closed.
    not_voted: list[str] | None
    live_tally: dict[str, int] | None = field(default=None)


def poll_progress(poll: Poll) -> PollProgress:
    """Ballots in, and who has not voted yet; the optional live tally on named polls."""
    eligible = eligible_voter_names(poll)
    voted = _voted_user_ids(poll)
    missing = sorted(name for uid, name in eligible.items() if uid not in voted)
    show_names = not poll.secret or poll.status == PollStatus.CLOSED
    tally = _option_counts(poll) if poll.show_live_tally and not poll.secret else None
    return PollProgress(
        cast=len(voted),
        eligible=len(eligible),
        not_voted=missing if show_names else None,
        live_tally={key: tally.get(key, 0) for key in _option_keys(poll)} if tally else None,
    )


class _OptionKey(TypedDict):
    option__key: str


def _option_keys(poll: Poll) -> list[str]:
    return list(PollOption.objects.filter(poll=poll).values_list("key", flat=True))


def _option_counts(poll: Poll) -> dict[str, int]:
    """Per option key, counted by the database."""
    rows: QuerySet[SecretChoice, _OptionKey] | QuerySet[BallotChoice, _OptionKey]
    if poll.secret:
        rows = SecretChoice.objects.filter(poll=poll).values("option__key")
    else:
        rows = BallotChoice.objects.filter(ballot__poll=poll).values("option__key")
    counted = rows.annotate(n=Count("option")).values_list("option__key", "n")
    return dict(counted)


def _chair_choice(poll: Poll) -> str | None:
    """The chair's (first) option key on a named poll; unknowable on a secret one."""
    if poll.secret:
        return None
    item = poll.item
    if item is not None:
        chairs = Participant.objects.filter(meeting_id=item.meeting_id, role=ParticipantRole.CHAIR)
        by_chair = Q(ballot__voter_id__in=chairs.values("user_id"))
    else:
        members = Membership.objects.filter(body_id=poll.body_id, role=Role.CHAIR)
        by_chair = Q(ballot__voter_id__in=members.values("user_id"))
    choice = BallotChoice.objects.filter(by_chair, ballot__poll=poll)
    return choice.values_list("option__key", flat=True).first()


def poll_tally(poll: Poll) -> rules.Tally:
    """Every number the rule needs, from the database at this moment."""
    keys = PollOption.objects.filter(poll=poll).values_list("key", "label")
    cast = (VoteReceipt if poll.secret else Ballot).objects.filter(poll=poll).count()
    # A written consultation has no room: those who answered are the ones taking part.
    item = poll.item
    present = present_voters(item.meeting).count() if item is not None else cast
    return rules.Tally(
        counts=_option_counts(poll),
        total_members=poll.body.total_members,
        present=present,
        cast=cast,
        labels=dict(keys),
    )


def _remint_secret_choices(poll: Poll) -> None:
    """Rewrite a closed secret poll's choices in random order, new ids, one transaction.

    While the poll was open, storage order followed arrival order, which the audit log also
    records; after this, nothing in the rows or their order reflects who voted when.
    """
    option_ids = list(SecretChoice.objects.filter(poll=poll).values_list("option_id", flat=True))
    _shuffle(option_ids)
    SecretChoice.objects.filter(poll=poll).delete()
    SecretChoice.objects.bulk_create(SecretChoice(poll=poll, option_id=o) for o in option_ids)


def _may_close(poll: Poll, actor: User | None) -> bool:
    item = poll.item
    if item is not None:
        return actor is not None and is_chair(actor, item.meeting)
    return actor is None or organises_body(actor, poll.body)  # None: the deadline job


@transaction.atomic
def poll_close(*, actor: User | None, poll: Poll) -> Poll:
    """Stop the poll, count from the database, apply the rule copied at opening, store it."""
    poll = (
        Poll.objects.select_for_update(of=("self",))
        .select_related("item__meeting", "body")
        .get(pk=poll.pk)
    )
    if not _may_close(poll, actor):
        refuse(gettext("Chỉ người chủ trì mới được kết thúc biểu quyết."))
    if poll.status == PollStatus.CLOSED:
        return poll  # a second click on "close" changes nothing
    if poll.status != PollStatus.OPEN:
        refuse(gettext("Biểu quyết chưa được mở."))
    tally = poll_tally(poll)
    assert poll.rule_snapshot is not None  # copied when the poll opened
    decision = rules.decide(
        kind=poll.kind,
        rule=rules.Rule.from_json(poll.rule_snapshot),
        tally=tally,
        chair_choice=_chair_choice(poll),
    )
    if poll.secret:
        _remint_secret_choices(poll)
        transaction.on_commit(secret_storage_scrub)
    poll.result = decision.to_json()
    poll.status = PollStatus.CLOSED
    poll.closed_at = timezone.now()
    poll.closed_by = actor
    poll.save()
    # Counts only: nothing per voter, for named and secret polls alike.
    audit_record(
        actor=actor,
        verb="poll.closed",
        target=poll,
        details={
            "counts": dict(tally.counts),
            "cast": tally.cast,
            "passed": decision.passed,
            "explanation": decision.explanation,
        },
    )
    return poll
