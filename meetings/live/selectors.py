"""Reads for the live meeting: who may connect, and the payloads every screen renders.

Each event carries the *whole* state of the part that changed (the current item and its timer,
the speaker queue, one poll's progress), so applying an event twice, or after a snapshot that
already contains it, changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext

from accounts.models import User
from documents.selectors import document_latest_version
from meetings.access import (
    agenda_documents_visible_q,
    meeting_manageable_by,
    meeting_visible_to,
    participation_of,
)
from meetings.live.hub import current_seq
from meetings.minutes.draft import named_voters
from meetings.models import (
    AgendaDocument,
    AttendanceMode,
    Ballot,
    CheckInWindow,
    ItemConclusion,
    LiveState,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantRole,
    Poll,
    PollKind,
    PollStatus,
    RuleBase,
    SpeakerKind,
    SpeakerRequest,
    SpeakerStatus,
    VoteReceipt,
)
from meetings.preparation.agenda import agenda_rows
from meetings.voting import rules
from meetings.voting.ballots import PollProgress, poll_progress
from meetings.voting.quorum import quorum_state

OPEN_SPEAKER_STATUSES = (SpeakerStatus.REQUESTED, SpeakerStatus.GRANTED, SpeakerStatus.SPEAKING)
STAFF_ROLES = (ParticipantRole.CHAIR, ParticipantRole.SECRETARY)


@dataclass(frozen=True)
class LiveAccess:
    """What a connected person may do; decided once, when the socket opens."""

    user_id: int
    participant_id: int | None
    is_chair: bool
    is_staff: bool
    # The highest document confidentiality the person may open (None: an administrator);
    # the snapshot's agenda lists only those documents, like the meeting page.
    clearance: int | None = None


def live_access(user: User | AnonymousUser | None, meeting_id: int) -> LiveAccess | None:
    """Participants and the host body's organisers; None for anyone else (a socket's scope
    holds an anonymous user, or none, when nobody is signed in)."""
    if not isinstance(user, User) or not user.is_active:
        return None
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None or not meeting_visible_to(user, meeting):
        return None
    participant = participation_of(user, meeting)
    organiser = meeting_manageable_by(user, meeting)
    if participant is None and not organiser:
        return None
    role = participant.role if participant else None
    return LiveAccess(
        user_id=user.pk,
        participant_id=participant.pk if participant else None,
        is_chair=role == ParticipantRole.CHAIR,
        is_staff=organiser or role in STAFF_ROLES,
        clearance=None if user.is_superuser else user.clearance,
    )


def live_state_of(meeting: Meeting) -> LiveState:
    """The meeting's live state; its defaults, unsaved, before anything happened live.

    A read never writes: the row is made by the first service that changes it
    (``services.live_state_ensure``).
    """
    return LiveState.objects.filter(meeting=meeting).first() or LiveState(meeting=meeting)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# --- Payloads -----------------------------------------------------------------------------


def timer_payload(state: LiveState) -> dict[str, Any]:
    """Screens count down locally from these numbers; no per-second event is sent."""
    return {
        "running": state.timer_started_at is not None,
        "started_at": _iso(state.timer_started_at),
        "elapsed": state.timer_elapsed_seconds,
        "limit": state.timer_limit_seconds,
    }


def item_payload(state: LiveState) -> dict[str, Any]:
    return {"item_id": state.current_item_id, "timer": timer_payload(state)}


def presenter_payload(state: LiveState) -> dict[str, Any] | None:
    document = state.presenter_document
    if document is None:
        return None
    latest = document_latest_version(document)
    pdf_url = reverse("documents:version_file", args=[document.pk, latest.number]) if latest else ""
    return {
        "document_id": document.pk,
        "title": document.number_symbol or document.abstract,
        "page": state.presenter_page,
        "pdf_url": pdf_url,
        "viewer_url": reverse("documents:viewer", args=[document.pk]),
        "by": state.presenter_user.full_name if state.presenter_user else "",
        "by_id": state.presenter_user_id,
    }


def presenter_documents(user: User, meeting: Meeting) -> QuerySet[AgendaDocument]:
    """The agenda documents *user* may put on every screen of *meeting*, in agenda order.

    The meeting page's clearance rule for the person showing it (``agenda_documents_visible_q``),
    and the meeting's own confidentiality for everyone watching: whoever may see the meeting is
    cleared for that level, so nobody is shown a document they may not open. (A document above
    it stays on the agenda if the meeting's confidentiality was lowered after it was attached.)
    """
    return (
        AgendaDocument.objects.filter(
            agenda_documents_visible_q(user),
            item__meeting=meeting,
            document__confidentiality__lte=meeting.confidentiality,
        )
        .select_related("document")
        .order_by("item__position", "position")
    )


def message_payload(state: LiveState) -> dict[str, Any]:
    return {"text": state.message, "at": _iso(state.message_at)}


def attendance_payload(meeting: Meeting) -> dict[str, Any]:
    quorum = quorum_state(meeting)
    return {
        "present": quorum.present,
        "total_members": quorum.total_members,
        "required": quorum.required,
        "met": quorum.met,
        "explanation": quorum.explanation,
    }


def checkin_is_open(meeting: Meeting) -> bool:
    window = CheckInWindow.objects.filter(meeting=meeting).first()
    return window is not None and window.is_open


def roll_payload(meeting: Meeting) -> list[dict[str, Any]]:
    """The roll (staff screens): everyone invited, with arrival time and mode."""
    rows = Participant.objects.filter(meeting=meeting).select_related("user")
    return [
        {
            "id": p.pk,
            "name": p.user.full_name,
            # Labels in Vietnamese (as every broadcast); the codes let a screen show its own.
            "role": p.get_role_display(),
            "role_code": p.role,
            "checked_in_at": _iso(p.checked_in_at),
            "mode": p.get_attendance_mode_display() if p.attendance_mode else "",
            "mode_code": p.attendance_mode,
            "corrected": p.attendance_corrected,
        }
        for p in rows.order_by("user__full_name")
    ]


def speakers_payload(state: LiveState) -> dict[str, Any]:
    item_id = state.current_item_id
    rows = (
        SpeakerRequest.objects.filter(item_id=item_id, status__in=OPEN_SPEAKER_STATUSES)
        .select_related("participant__user")
        .order_by("order", "id")
        if item_id
        else []
    )
    return {
        "item_id": item_id,
        "limit": state.speaking_limit_seconds,
        "queue": [
            {
                "id": r.pk,
                "participant_id": r.participant_id,
                "name": r.participant.user.full_name,
                "kind": r.kind,
                "kind_label": r.get_kind_display(),
                "status": r.status,
                "started_at": _iso(r.started_at),
            }
            for r in rows
        ],
    }


def named_payload(
    poll: Poll, voters: dict[int, dict[str, list[str]]] | None = None
) -> dict[str, Any] | None:
    """Staff only (the chair's console, the room screen): option key → the names of those who
    chose it, for a named poll once closed, as the vote sheet prints it. None for a secret poll
    (there is no link to read names from) and for one still open. Kept out of the broadcast
    every tablet gets: a 2,000-seat result would carry every name to every screen."""
    if poll.secret or poll.status != PollStatus.CLOSED:
        return None
    found = voters if voters is not None else named_voters([poll])
    return {"poll_id": poll.pk, "voters": found.get(poll.pk, {})}


def poll_payload(poll: Poll, progress: PollProgress | None = None) -> dict[str, Any]:
    """A poll as every screen shows it: options, counts in, result once closed."""
    progress = progress or poll_progress(poll)
    return {
        "id": poll.pk,
        "item_id": poll.item_id,
        "title": poll.title,
        "subject_name": poll.subject_name,
        "kind": poll.kind,
        "kind_label": poll.get_kind_display(),
        "secret": poll.secret,
        "status": poll.status,
        "max_choices": poll.max_choices,
        "options": [{"id": o.pk, "key": o.key, "label": o.label} for o in poll.options.all()],
        "progress": {
            "cast": progress.cast,
            "eligible": progress.eligible,
            "live_tally": progress.live_tally,
        },
        "result": poll.result if poll.status == PollStatus.CLOSED else None,
    }


def not_voted_payload(poll: Poll, progress: PollProgress | None = None) -> dict[str, Any]:
    """Staff only. Names on named polls; on a secret poll only once closed (see voting)."""
    progress = progress or poll_progress(poll)
    return {"poll_id": poll.pk, "not_voted": progress.not_voted, "count": progress.eligible}


def live_polls(meeting: Meeting) -> list[Poll]:
    """Polls worth a screen: open ones, and those of the meeting already closed."""
    return list(
        Poll.objects.filter(item__meeting=meeting)
        .exclude(status=PollStatus.DRAFT)
        .select_related("item", "body")
        .order_by("opened_at", "id")
    )


def _agenda(meeting: Meeting, clearance: int | None) -> list[dict[str, Any]]:
    """The agenda as a screen shows it; a document above *clearance* is not even named."""
    conclusions = dict(
        ItemConclusion.objects.filter(item__meeting=meeting).values_list("item_id", "text")
    )
    links = AgendaDocument.objects.filter(item__meeting=meeting).select_related("document")
    if clearance is not None:
        links = links.filter(document__confidentiality__lte=clearance)
    documents: dict[int, list[dict[str, Any]]] = {}
    for link in links.order_by("position", "id"):
        doc = link.document
        documents.setdefault(link.item_id, []).append(
            {"id": doc.pk, "title": doc.number_symbol or doc.abstract}
        )
    entries: list[dict[str, Any]] = []
    for row in agenda_rows(meeting):
        item = row["item"]
        entries.append(
            {
                "id": item.pk,
                "number": row["number"],
                "depth": row["depth"],
                "title": item.title,
                "presenter": item.presenter_display,
                "planned_minutes": item.planned_minutes,
                "conclusion": conclusions.get(item.pk, ""),
                "documents": documents.get(item.pk, []),
            }
        )
    return entries


def _me(access: LiveAccess, meeting: Meeting) -> dict[str, Any]:
    participant = (
        Participant.objects.select_related("user").filter(pk=access.participant_id).first()
        if access.participant_id is not None
        else None
    )
    # Two plain queries: who voted is in receipts (secret) or ballots (named).
    receipts = VoteReceipt.objects.filter(poll__item__meeting=meeting, voter_id=access.user_id)
    ballots = Ballot.objects.filter(poll__item__meeting=meeting, voter_id=access.user_id)
    voted = set(receipts.values_list("poll_id", flat=True))
    voted |= set(ballots.values_list("poll_id", flat=True))
    return {
        "user_id": access.user_id,
        "participant_id": access.participant_id,
        "can_vote": bool(participant and participant.can_vote),
        "checked_in": bool(participant and participant.checked_in_at),
        "is_chair": access.is_chair,
        "is_staff": access.is_staff,
        "voted_poll_ids": sorted(voted),
    }


_LABELLED_CODES = {
    "status": MeetingStatus,
    "speaker": SpeakerKind,
    "poll": PollKind,
    "role": ParticipantRole,
    "mode": AttendanceMode,
    "base": RuleBase,
}


def screen_labels() -> dict[str, dict[str, str]]:
    """The labels of the codes events carry, in the active language (the socket's).

    An event is serialised once for every screen, so it carries codes beside Vietnamese
    labels; each screen gets this table with its snapshot and shows a code in its own language.
    """
    labels = {
        # The labels are gettext_noop strings: str() only tells the type checker so.
        group: {code: gettext(str(label)) for code, label in choices.choices}
        for group, choices in _LABELLED_CODES.items()
    }
    fixed = {**rules.MOTION_LABELS, **rules.CONFIDENCE_LABELS}
    labels["option"] = {key: gettext(label) for key, label in fixed.items()}
    return labels


def snapshot(meeting_id: int, access: LiveAccess) -> dict[str, Any]:
    """Everything a screen needs, with the sequence number it is current to.

    The number is read first: anything that changes while the rest is read is newer than that
    number, and its event (a whole-part replacement) simply applies again.
    """
    meeting = Meeting.objects.select_related("body").get(pk=meeting_id)
    seq = current_seq(meeting_id)
    states = LiveState.objects.select_related("presenter_document", "presenter_user")
    state = states.filter(meeting=meeting).first() or LiveState(meeting=meeting)
    polls = live_polls(meeting)
    data: dict[str, Any] = {
        "meeting": {
            "id": meeting.pk,
            "title": meeting.title,
            "status": meeting.status,
            "status_label": meeting.get_status_display(),
        },
        "agenda": _agenda(meeting, access.clearance),
        "item": item_payload(state),
        "message": message_payload(state),
        "checkin_open": checkin_is_open(meeting),
        "presenter": presenter_payload(state),
        "attendance": attendance_payload(meeting),
        "speakers": speakers_payload(state),
        "polls": [poll_payload(poll) for poll in polls],
        "me": _me(access, meeting),
        "labels": screen_labels(),
    }
    if access.is_staff:
        data["roll"] = roll_payload(meeting)
        data["not_voted"] = [not_voted_payload(p) for p in polls if p.status == PollStatus.OPEN]
        voters = named_voters([p for p in polls if p.status == PollStatus.CLOSED])
        named = (named_payload(p, voters) for p in polls)
        data["named"] = [row for row in named if row is not None]
        drafts = Poll.objects.filter(item__meeting=meeting, status=PollStatus.DRAFT)
        data["drafts"] = [poll_payload(p) for p in drafts.select_related("item", "body")]
    return {"seq": seq, "state": data}
