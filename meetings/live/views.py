"""Live meeting screens and endpoints: the meeting page, the chair's commands, QR check-in.

Commands are small JSON POSTs from static/js/live.js; each parses its fields, calls one service
and answers ``{"ok": true}`` — what changed reaches every screen (this one included) as a live
event over the socket.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import User
from meetings.access import is_chair, is_clerk, may_run, meeting_access, participation_of
from meetings.live import attendance, presenter, qr, services, speakers
from meetings.live.selectors import live_access, presenter_documents
from meetings.models import (
    AttendanceMode,
    Meeting,
    Participant,
    PollKind,
    SpeakerKind,
)
from meetings.preparation.invitations import time_phrase

# A command returns a dict to add to the JSON answer; anything else (a model) is not sent.
Command = Callable[[User, Meeting, QueryDict], Any]


def _live_meeting(request: AuthenticatedRequest, pk: int) -> tuple[Meeting, Any]:
    access = live_access(request.user, pk)
    if access is None:
        raise Http404(gettext("Không tìm thấy cuộc họp."))
    return Meeting.objects.select_related("body").get(pk=pk), access


def _int(data: QueryDict, name: str) -> int:
    try:
        return int(data.get(name, ""))
    except ValueError:
        raise ValidationError(
            gettext("Thiếu hoặc sai trường %(field)s.") % {"field": name}
        ) from None


def _optional_int(data: QueryDict, name: str) -> int | None:
    """An integer field the form may leave empty (None); anything but an integer answers 400."""
    value = data.get(name)
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError(
            gettext("Trường %(field)s phải là số nguyên.") % {"field": name}
        ) from None


def _int_or(data: QueryDict, name: str, default: int) -> int:
    value = _optional_int(data, name)
    return default if value is None else value


def _ints(data: QueryDict, name: str) -> list[int]:
    try:
        return [int(value) for value in data.getlist(name)]
    except ValueError:
        raise ValidationError(gettext("Trường %(field)s không hợp lệ.") % {"field": name}) from None


@login_required
def live_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting, access = _live_meeting(request, pk)
    participant = participation_of(request.user, meeting)
    documents = presenter_documents(request.user, meeting)
    can_run = may_run(request.user, meeting)
    return render(
        request,
        "meetings/live/meeting.html",
        {
            "meeting": meeting,
            "access": access,
            "can_run": can_run,
            # The console layout (agenda and roll in a panel of their own) for who runs the
            # meeting or keeps its roll; the official's screen gives the document the room.
            "console": can_run or access.is_staff,
            "is_chair": is_chair(request.user, meeting) or request.user.is_superuser,
            "starts_early": services.meeting_starts_early(meeting),
            "starts_at_text": time_phrase(meeting.starts_at),
            "participant": participant,
            "documents": [link.document for link in documents],
            "poll_kinds": PollKind.choices,
            "speaker_kinds": SpeakerKind.choices,
            "ws_path": f"/ws/hop/{meeting.pk}/",
        },
    )


@login_required
def room_screen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The big screen in the room: its check-in QR code and the meeting as it goes."""
    meeting, access = _live_meeting(request, pk)
    if not access.is_staff:
        raise PermissionDenied(gettext("Chỉ thư ký hoặc văn thư mới mở màn hình phòng họp."))
    return render(
        request,
        "meetings/live/screen.html",
        {"meeting": meeting, "ws_path": f"/ws/hop/{meeting.pk}/"},
    )


@login_required
def room_qr(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting, access = _live_meeting(request, pk)
    if not access.is_staff:
        raise PermissionDenied(gettext("Chỉ thư ký hoặc văn thư mới xem mã điểm danh của phòng."))
    url = request.build_absolute_uri(qr.room_path(meeting.pk))
    return HttpResponse(qr.qr_svg(url), content_type="image/svg+xml")


@login_required
def personal_qr(request: AuthenticatedRequest, pk: int, participant_id: int) -> HttpResponse:
    meeting, access = _live_meeting(request, pk)
    participant = get_object_or_404(Participant, pk=participant_id, meeting=meeting)
    if participant.user_id != request.user.pk and not access.is_staff:
        raise PermissionDenied(gettext("Bạn chỉ xem được mã điểm danh của chính mình."))
    url = request.build_absolute_uri(qr.personal_path(participant.pk))
    return HttpResponse(qr.qr_svg(url), content_type="image/svg+xml")


def _confirm(request: AuthenticatedRequest, participant: Participant, heading: str) -> HttpResponse:
    """GET shows a button; POST checks in. Scanned links are opened by cameras and preview
    bots, so a plain GET must not change anything."""
    meeting = participant.meeting
    if request.method == "POST":
        try:
            attendance.live_check_in(
                actor=request.user, participant=participant, mode=AttendanceMode.IN_PERSON
            )
        except ValidationError as exc:
            return _checkin_page(request, participant, heading, " ".join(exc.messages), 400)
        return redirect("meetings:live", pk=meeting.pk)
    return _checkin_page(request, participant, heading, "", 200)


def _checkin_page(
    request: AuthenticatedRequest, participant: Participant, heading: str, error: str, status: int
) -> HttpResponse:
    return render(
        request,
        "meetings/live/checkin.html",
        {
            "participant": participant,
            "meeting": participant.meeting,
            "heading": heading,
            "error": error,
        },
        status=status,
    )


@login_required
def checkin_room(request: AuthenticatedRequest, token: str) -> HttpResponse:
    """A participant scanned the room's code with their own tablet.

    The meeting page's rule decides what the page may show (a code is a photo on the wall,
    not a grant): a draft or a meeting above the person's clearance is not found, its title
    included.
    """
    meeting_id = qr.room_meeting_id(token)
    access = meeting_access(request.user, meeting_id) if meeting_id else None
    if access is None:
        raise Http404(gettext("Mã điểm danh không hợp lệ hoặc đã hết hạn."))
    if access.participant is None:
        raise PermissionDenied(gettext("Bạn không có trong danh sách người dự họp."))
    return _confirm(request, access.participant, gettext("Điểm danh tại phòng họp"))


@login_required
def checkin_personal(request: AuthenticatedRequest, token: str) -> HttpResponse:
    """The clerk scanned a participant's personal code (or the person opened their own)."""
    participant_id = qr.personal_participant_id(token)
    participant = (
        Participant.objects.select_related("meeting", "user").filter(pk=participant_id).first()
        if participant_id
        else None
    )
    # Whoever scans must be able to see the meeting itself (same rule as its page).
    if participant is None or meeting_access(request.user, participant.meeting_id) is None:
        raise Http404(gettext("Mã điểm danh không hợp lệ hoặc đã hết hạn."))
    mine = participant.user_id == request.user.pk
    if not mine and not is_clerk(request.user, participant.meeting):
        raise PermissionDenied(gettext("Chỉ văn thư hoặc thư ký mới điểm danh cho người khác."))
    return _confirm(
        request, participant, gettext("Điểm danh: %(name)s") % {"name": participant.user.full_name}
    )


@login_required
@require_POST
def join_remote(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Remote attendees: one button checks in (online) and opens the video conference."""
    meeting, _ = _live_meeting(request, pk)
    participant = participation_of(request.user, meeting)
    if participant is None:
        raise PermissionDenied(gettext("Bạn không có trong danh sách người dự họp."))
    try:
        attendance.live_check_in(
            actor=request.user, participant=participant, mode=AttendanceMode.REMOTE
        )
    except ValidationError as exc:
        return JsonResponse({"ok": False, "error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"ok": True, "video_url": meeting.video_url})


# --- Commands -------------------------------------------------------------------------------


def _participant(meeting: Meeting, data: QueryDict) -> Participant:
    found = Participant.objects.filter(pk=_int(data, "participant_id"), meeting=meeting).first()
    if found is None:
        raise ValidationError(gettext("Người dự không thuộc cuộc họp này."))
    return found


def _ballot(user: User, meeting: Meeting, data: QueryDict) -> dict[str, Any]:
    ack = services.live_ballot_cast(
        actor=user,
        meeting=meeting,
        poll_id=_int(data, "poll_id"),
        option_ids=_ints(data, "option_id"),
    )
    return {"message": ack.message, "already_recorded": ack.already_recorded}


def _poll_create(user: User, meeting: Meeting, data: QueryDict) -> dict[str, Any]:
    options = [line for line in data.get("options", "").splitlines() if line.strip()]
    poll = services.live_poll_create(
        actor=user,
        meeting=meeting,
        item_id=_int(data, "item_id"),
        title=data.get("title", ""),
        kind=data.get("kind", PollKind.YES_NO_ABSTAIN),
        secret=data.get("secret") in ("1", "on", "true"),
        options=options,
        max_choices=_int_or(data, "max_choices", 1),
        subject_name=data.get("subject_name", ""),
        show_live_tally=data.get("show_live_tally") in ("1", "on", "true"),
    )
    return {"poll_id": poll.pk}


def _presenter_show(user: User, meeting: Meeting, data: QueryDict) -> None:
    presenter.presenter_show(
        actor=user,
        meeting=meeting,
        document_id=_optional_int(data, "document_id"),
        page=_int_or(data, "page", 1),
    )


COMMANDS: dict[str, Command] = {
    "start": lambda u, m, d: services.meeting_start(
        actor=u, meeting=m, early_confirmed=d.get("confirmed") == "1"
    ),
    "end": lambda u, m, d: services.meeting_end(actor=u, meeting=m),
    "resume": lambda u, m, d: services.meeting_resume(actor=u, meeting=m),
    "item": lambda u, m, d: services.item_set_current(
        actor=u, meeting=m, item_id=_int(d, "item_id")
    ),
    "timer-start": lambda u, m, d: services.timer_start(actor=u, meeting=m),
    "timer-pause": lambda u, m, d: services.timer_pause(actor=u, meeting=m),
    "timer-extend": lambda u, m, d: services.timer_extend(
        actor=u, meeting=m, seconds=_int(d, "seconds")
    ),
    "conclusion": lambda u, m, d: services.conclusion_record(
        actor=u, meeting=m, item_id=_int(d, "item_id"), text=d.get("text", "")
    ),
    "message": lambda u, m, d: services.message_send(actor=u, meeting=m, text=d.get("text", "")),
    "checkin-open": lambda u, m, d: attendance.live_checkin_set(actor=u, meeting=m, open_=True),
    "checkin-close": lambda u, m, d: attendance.live_checkin_set(actor=u, meeting=m, open_=False),
    "check-in": lambda u, m, d: attendance.live_check_in(
        actor=u, participant=_participant(m, d), mode=d.get("mode", AttendanceMode.IN_PERSON)
    ),
    "check-in-clear": lambda u, m, d: attendance.live_check_in_clear(
        actor=u, participant=_participant(m, d)
    ),
    "poll-create": _poll_create,
    "poll-open": lambda u, m, d: services.live_poll_open(
        actor=u, meeting=m, poll_id=_int(d, "poll_id"), override_reason=d.get("reason", "")
    ),
    "poll-close": lambda u, m, d: services.live_poll_close(
        actor=u, meeting=m, poll_id=_int(d, "poll_id")
    ),
    "ballot": _ballot,
    "speaker-request": lambda u, m, d: {
        "request_id": speakers.speaker_request(actor=u, meeting=m, kind=d.get("kind", "")).pk
    },
    "speaker-withdraw": lambda u, m, d: speakers.speaker_withdraw(
        actor=u, meeting=m, request_id=_int(d, "request_id")
    ),
    "speaker-grant": lambda u, m, d: speakers.speaker_grant(
        actor=u, meeting=m, request_id=_int(d, "request_id")
    ),
    "speaker-end": lambda u, m, d: speakers.speaker_end(
        actor=u, meeting=m, request_id=_int(d, "request_id")
    ),
    "speaker-reorder": lambda u, m, d: speakers.speaker_reorder(
        actor=u, meeting=m, request_ids=_ints(d, "request_id")
    ),
    "speaking-limit": lambda u, m, d: speakers.speaking_limit_set(
        actor=u, meeting=m, seconds=_int(d, "seconds")
    ),
    "presenter-show": _presenter_show,
    "presenter-page": lambda u, m, d: presenter.presenter_page(
        actor=u, meeting=m, page=_int(d, "page")
    ),
}


@login_required
@require_POST
def live_command(request: AuthenticatedRequest, pk: int, action: str) -> JsonResponse:
    meeting, _ = _live_meeting(request, pk)
    command = COMMANDS.get(action)
    if command is None:
        raise Http404(gettext("Lệnh không hợp lệ."))
    try:
        result = command(request.user, meeting, request.POST)
    except ValidationError as exc:
        return JsonResponse({"ok": False, "error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"ok": True, **(result if isinstance(result, dict) else {})})
