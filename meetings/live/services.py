"""The chair's console: starting and ending the meeting, the current item and its timer,
conclusions, notices, and the live side of votes.

Each service changes the database and announces the change with ``live_publish`` inside the
same transaction (sent after commit). Voting rules stay in ``meetings.voting.ballots``; the
functions here call them and publish what changed. Check-in is in ``attendance``, presenter
mode in ``presenter``, the speaker queue in ``speakers``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User, nfc
from audit.services import audit_record
from meetings.access import FINISHED, is_chair, refuse, require_runner
from meetings.live.hub import live_publish, live_publish_staff, progress_soon
from meetings.live.selectors import (
    item_payload,
    message_payload,
    named_payload,
    not_voted_payload,
    poll_payload,
    speakers_payload,
)
from meetings.minutes.draft import minutes_facts_refresh, minutes_latest
from meetings.models import (
    AgendaItem,
    ItemConclusion,
    LiveState,
    Meeting,
    MeetingStatus,
    MinutesStatus,
    Poll,
    PollStatus,
)
from meetings.preparation.invitations import time_phrase
from meetings.voting import ballots

MESSAGE_MAX = 300
EXTEND_MAX_SECONDS = 3600


def live_state_ensure(meeting: Meeting) -> LiveState:
    """The meeting's live state row, made by the first change (reads never make it)."""
    state, _ = LiveState.objects.get_or_create(meeting=meeting)
    return state


def live_state_locked(meeting: Meeting) -> LiveState:
    """The meeting's live state, locked for this transaction (the row is made on first use)."""
    state = LiveState.objects.select_for_update().filter(meeting=meeting).first()
    if state is None:
        live_state_ensure(meeting)
        state = LiveState.objects.select_for_update().get(meeting=meeting)
    return state


# --- The meeting ----------------------------------------------------------------------------


# Starting this long before the scheduled time is more often a slip than a decision.
EARLY_START = timedelta(hours=1)


def meeting_starts_early(meeting: Meeting) -> bool:
    return timezone.now() < meeting.starts_at - EARLY_START


@transaction.atomic
def meeting_start(*, actor: User, meeting: Meeting, early_confirmed: bool = False) -> Meeting:
    """Open the session; the first agenda item becomes current if none is."""
    require_runner(actor, meeting)
    if meeting.status not in (MeetingStatus.DRAFT, MeetingStatus.INVITED):
        if meeting.status == MeetingStatus.IN_PROGRESS:
            return meeting
        refuse(gettext("Cuộc họp đã kết thúc hoặc đã hủy."))
    if meeting_starts_early(meeting) and not early_confirmed:
        refuse(
            gettext("Cuộc họp dự kiến bắt đầu lúc %(time)s: hãy xác nhận nếu muốn bắt đầu sớm.")
            % {"time": time_phrase(meeting.starts_at)}
        )
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.started_at = timezone.now()
    meeting.save(update_fields=["status", "started_at", "updated_at"])
    state = live_state_locked(meeting)
    if state.current_item_id is None:
        first = AgendaItem.objects.filter(meeting=meeting, parent=None).order_by("position", "id")
        _make_current(state, first.first())
    audit_record(actor=actor, verb="meeting.started", target=meeting)
    _publish_status(meeting)
    live_publish(meeting.pk, "item.current", _current_payload(state))
    return meeting


@transaction.atomic
def meeting_end(*, actor: User, meeting: Meeting) -> Meeting:
    require_runner(actor, meeting)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        refuse(gettext("Cuộc họp không ở trạng thái đang họp."))
    if Poll.objects.filter(item__meeting=meeting, status=PollStatus.OPEN).exists():
        refuse(gettext("Còn biểu quyết đang mở; hãy kết thúc biểu quyết trước."))
    meeting.status = MeetingStatus.CLOSED
    meeting.save(update_fields=["status", "updated_at"])
    state = live_state_locked(meeting)
    _pause(state, timezone.now())
    state.save()
    audit_record(actor=actor, verb="meeting.ended", target=meeting)
    _publish_status(meeting)
    # The minutes are drafted from what happened as soon as the closing is committed
    # (facts frozen at closing). Robust: a missing secretary must not undo the closing; the
    # minutes editor drafts again and shows the reason.
    transaction.on_commit(lambda: _minutes_draft(meeting.pk), robust=True)
    return meeting


def _minutes_draft(meeting_id: int) -> None:
    # A resumed meeting already has a draft: it gets the facts of the whole session.
    minutes_facts_refresh(meeting=Meeting.objects.get(pk=meeting_id))


@transaction.atomic
def meeting_resume(*, actor: User, meeting: Meeting) -> Meeting:
    """The chair takes an ended meeting up again, until the minutes go for signature."""
    if not (is_chair(actor, meeting) or getattr(actor, "is_superuser", False)):
        refuse(gettext("Chỉ người chủ trì mới được tiếp tục phiên họp đã kết thúc."))
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.CLOSED:
        refuse(gettext("Chỉ tiếp tục được phiên họp đã kết thúc."))
    latest = minutes_latest(meeting)
    if latest is not None and latest.status != MinutesStatus.DRAFT:
        refuse(gettext("Biên bản đã trình ký: không thể tiếp tục phiên họp."))
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, verb="meeting.resumed", target=meeting)
    _publish_status(meeting)
    return meeting


def _publish_status(meeting: Meeting) -> None:
    live_publish(
        meeting.pk,
        "meeting.status",
        {"status": meeting.status, "status_label": meeting.get_status_display()},
    )


# --- Agenda item and its timer --------------------------------------------------------------


def _make_current(state: LiveState, item: AgendaItem | None) -> None:
    state.current_item = item
    state.timer_started_at = None
    state.timer_elapsed_seconds = 0
    state.timer_limit_seconds = (item.planned_minutes * 60) if item else 0
    state.save()


def _current_payload(state: LiveState) -> dict[str, Any]:
    # The new item's speaker queue travels with it: one event per move.
    return {**item_payload(state), "speakers": speakers_payload(state)}


def _require_live(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.IN_PROGRESS:
        refuse(gettext("Cuộc họp chưa bắt đầu hoặc đã kết thúc."))


@transaction.atomic
def item_set_current(*, actor: User, meeting: Meeting, item_id: int) -> LiveState:
    """Move the meeting to another agenda item; its timer starts from zero, stopped."""
    require_runner(actor, meeting)
    _require_live(meeting)
    item = AgendaItem.objects.filter(pk=item_id, meeting=meeting).first()
    if item is None:
        refuse(gettext("Mục chương trình không thuộc cuộc họp này."))
    state = live_state_locked(meeting)
    _make_current(state, item)
    live_publish(meeting.pk, "item.current", _current_payload(state))
    return state


def _elapsed(state: LiveState, now: datetime) -> int:
    running = state.timer_started_at
    extra = int((now - running).total_seconds()) if running else 0
    return state.timer_elapsed_seconds + max(extra, 0)


def _pause(state: LiveState, now: datetime) -> None:
    state.timer_elapsed_seconds = _elapsed(state, now)
    state.timer_started_at = None


def _timer_change(actor: User, meeting: Meeting, change: Any) -> LiveState:
    require_runner(actor, meeting)
    _require_live(meeting)
    state = live_state_locked(meeting)
    if state.current_item_id is None:
        refuse(gettext("Chưa có nội dung nào đang được thảo luận."))
    change(state, timezone.now())
    state.save()
    live_publish(meeting.pk, "item.timer", item_payload(state))
    return state


@transaction.atomic
def timer_start(*, actor: User, meeting: Meeting) -> LiveState:
    def start(state: LiveState, now: datetime) -> None:
        if state.timer_started_at is None:
            state.timer_started_at = now

    return _timer_change(actor, meeting, start)


@transaction.atomic
def timer_pause(*, actor: User, meeting: Meeting) -> LiveState:
    return _timer_change(actor, meeting, _pause)


@transaction.atomic
def timer_extend(*, actor: User, meeting: Meeting, seconds: int) -> LiveState:
    if not 0 < seconds <= EXTEND_MAX_SECONDS:
        refuse(gettext("Chỉ được gia hạn từ 1 giây đến 60 phút mỗi lần."))

    def extend(state: LiveState, now: datetime) -> None:
        state.timer_limit_seconds += seconds

    return _timer_change(actor, meeting, extend)


@transaction.atomic
def conclusion_record(*, actor: User, meeting: Meeting, item_id: int, text: str) -> ItemConclusion:
    """The chair's conclusion on an item; recording again replaces it (kept in the audit log)."""
    require_runner(actor, meeting)
    if meeting.status in FINISHED and meeting.status != MeetingStatus.CLOSED:
        refuse(gettext("Cuộc họp đã hủy hoặc đã lưu trữ."))
    item = AgendaItem.objects.filter(pk=item_id, meeting=meeting).first()
    if item is None:
        refuse(gettext("Mục chương trình không thuộc cuộc họp này."))
    text = nfc(text)
    if not text:
        refuse(gettext("Nội dung kết luận không được để trống."))
    conclusion, _ = ItemConclusion.objects.update_or_create(
        item=item,
        defaults={"text": text, "recorded_by": actor, "recorded_at": timezone.now()},
    )
    audit_record(actor=actor, verb="meeting.conclusion_recorded", target=item, details={})
    live_publish(meeting.pk, "item.conclusion", {"item_id": item.pk, "text": text})
    return conclusion


@transaction.atomic
def message_send(*, actor: User, meeting: Meeting, text: str) -> LiveState:
    """A short notice on every screen; an empty text takes it down."""
    require_runner(actor, meeting)
    text = nfc(text)
    if len(text) > MESSAGE_MAX:
        refuse(gettext("Thông báo tối đa %(count)d ký tự.") % {"count": MESSAGE_MAX})
    state = live_state_locked(meeting)
    state.message = text
    state.message_at = timezone.now() if text else None
    state.save()
    live_publish(meeting.pk, "message", message_payload(state))
    return state


# --- Votes, live ----------------------------------------------------------------------------


def _meeting_poll(meeting: Meeting, poll_id: int) -> Poll:
    poll = Poll.objects.filter(pk=poll_id, item__meeting=meeting).first()
    if poll is None:
        refuse(gettext("Nội dung biểu quyết không thuộc cuộc họp này."))
    return poll


@transaction.atomic
def live_poll_create(
    *,
    actor: User,
    meeting: Meeting,
    item_id: int,
    title: str,
    kind: str,
    secret: bool,
    options: Sequence[str] | None = None,
    max_choices: int = 1,
    subject_name: str = "",
    show_live_tally: bool = False,
) -> Poll:
    item = AgendaItem.objects.filter(pk=item_id, meeting=meeting).first()
    if item is None:
        refuse(gettext("Mục chương trình không thuộc cuộc họp này."))
    poll = ballots.poll_create(
        actor=actor,
        item=item,
        title=title,
        kind=kind,
        secret=secret,
        options=options,
        max_choices=max_choices,
        subject_name=subject_name,
        show_live_tally=show_live_tally,
    )
    live_publish_staff(meeting.pk, "poll.draft", {"poll": poll_payload(poll)})
    return poll


@transaction.atomic
def live_poll_open(
    *, actor: User, meeting: Meeting, poll_id: int, override_reason: str | None = None
) -> Poll:
    poll = ballots.poll_open(
        actor=actor, poll=_meeting_poll(meeting, poll_id), override_reason=override_reason
    )
    _publish_poll(meeting.pk, "poll.opened", poll)
    return poll


@transaction.atomic
def live_poll_close(*, actor: User, meeting: Meeting, poll_id: int) -> Poll:
    """Close and put the result, with the rule applied and its numbers, on every screen."""
    poll = ballots.poll_close(actor=actor, poll=_meeting_poll(meeting, poll_id))
    _publish_poll(meeting.pk, "poll.closed", poll)
    return poll


def _publish_poll(meeting_id: int, kind: str, poll: Poll) -> None:
    # Progress (eligible voters, who voted) is read once for both messages.
    progress = ballots.poll_progress(poll)
    live_publish(meeting_id, kind, {"poll": poll_payload(poll, progress)})
    live_publish_staff(meeting_id, "poll.voters", not_voted_payload(poll, progress))
    named = named_payload(poll)
    if named is not None:
        live_publish_staff(meeting_id, "poll.named", named)


def live_ballot_cast(
    *, actor: User, meeting: Meeting, poll_id: int, option_ids: Sequence[Any]
) -> ballots.CastAck:
    """Cast through the voting service; the progress broadcast is coalesced (see hub.py)."""
    ack = ballots.ballot_cast(
        actor=actor, poll=_meeting_poll(meeting, poll_id), option_ids=option_ids
    )
    if not ack.already_recorded:
        progress_soon(poll_id, publish_poll_progress)
    return ack


@transaction.atomic
def publish_poll_progress(poll_id: int) -> None:
    """Counts in (and the optional live tally) to everyone; who has not voted to the staff."""
    poll = Poll.objects.select_related("item", "body").filter(pk=poll_id).first()
    if poll is None or poll.status != PollStatus.OPEN:
        return  # closed meanwhile: "poll.closed" carried the final numbers
    assert poll.item is not None  # a live poll is on one of the meeting's items
    progress = ballots.poll_progress(poll)
    meeting_id = poll.item.meeting_id
    counts = poll_payload(poll, progress)["progress"]
    live_publish(meeting_id, "poll.progress", {"poll_id": poll.pk, **counts})
    live_publish_staff(meeting_id, "poll.voters", not_voted_payload(poll, progress))
