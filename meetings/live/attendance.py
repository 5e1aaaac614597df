"""Attendance (điểm danh): opening check-in, arrivals, the clerk's corrections, and their live
announcement (the quorum and, for the staff, the roll).

Who counts towards the quorum is read in ``meetings.voting.quorum``.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from audit.services import audit_record
from meetings.access import FINISHED, is_clerk, refuse
from meetings.live.hub import live_publish, live_publish_staff
from meetings.live.selectors import attendance_payload, roll_payload
from meetings.models import (
    AttendanceMode,
    CheckInWindow,
    Meeting,
    MeetingStatus,
    Participant,
)


def _self_check_in_open(meeting: Meeting) -> bool:
    if meeting.status == MeetingStatus.IN_PROGRESS:
        return True
    window = CheckInWindow.objects.filter(meeting=meeting).first()
    return window is not None and window.is_open


@transaction.atomic
def checkin_open(*, actor: User, meeting: Meeting) -> CheckInWindow:
    """The clerk opens check-in (before the meeting starts, participants may then check in)."""
    if not is_clerk(actor, meeting):
        refuse(gettext("Chỉ văn thư, thư ký hoặc người chủ trì mới được mở điểm danh."))
    if meeting.status in FINISHED:
        refuse(gettext("Cuộc họp đã kết thúc hoặc đã hủy."))
    window, _ = CheckInWindow.objects.update_or_create(
        meeting=meeting,
        defaults={"opened_at": timezone.now(), "opened_by": actor, "closed_at": None},
    )
    audit_record(actor=actor, verb="attendance.checkin_opened", target=meeting)
    return window


@transaction.atomic
def checkin_close(*, actor: User, meeting: Meeting) -> None:
    if not is_clerk(actor, meeting):
        refuse(gettext("Chỉ văn thư, thư ký hoặc người chủ trì mới được đóng điểm danh."))
    CheckInWindow.objects.filter(meeting=meeting).update(closed_at=timezone.now())
    audit_record(actor=actor, verb="attendance.checkin_closed", target=meeting)


@transaction.atomic
def attendance_check_in(
    *, actor: User, participant: Participant, mode: str, at: datetime | None = None
) -> Participant:
    """Record an arrival. Oneself while check-in is open; the clerk anyone, any time.

    A clerk changing an existing record marks it corrected. A substitute checks in on their own
    row; the invitee's row (``rsvp = substitute``) never counts, so nobody counts twice.
    """
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("meeting")
        .get(pk=participant.pk)
    )
    meeting = participant.meeting
    if mode not in AttendanceMode.values:
        refuse(gettext("Hình thức tham dự không hợp lệ (trực tiếp hoặc trực tuyến)."))
    clerk = is_clerk(actor, meeting)
    if not clerk:
        _check_self_check_in(actor, participant)
        if participant.checked_in_at is not None:
            return participant  # a second scan of the QR code changes nothing
    elif meeting.status == MeetingStatus.CANCELLED:
        refuse(gettext("Cuộc họp đã hủy."))
    corrected = clerk and participant.checked_in_at is not None
    participant.checked_in_at = (at if clerk and at else None) or timezone.now()
    participant.attendance_mode = mode
    participant.checked_in_by = actor
    participant.attendance_corrected = participant.attendance_corrected or corrected
    participant.full_clean()
    participant.save()
    audit_record(
        actor=actor,
        verb="attendance.corrected" if corrected else "attendance.checked_in",
        target=participant,
        details={"user": participant.user_id, "mode": mode, "at": participant.checked_in_at},
    )
    return participant


def _check_self_check_in(actor: User, participant: Participant) -> None:
    if participant.user_id != getattr(actor, "pk", None):
        refuse(gettext("Bạn chỉ được điểm danh cho chính mình."))
    if not _self_check_in_open(participant.meeting):
        refuse(gettext("Chưa mở điểm danh cho cuộc họp này."))


@transaction.atomic
def attendance_clear(*, actor: User, participant: Participant) -> Participant:
    """The clerk removes a wrong check-in (the person was not there after all)."""
    if not is_clerk(actor, participant.meeting):
        refuse(gettext("Chỉ văn thư, thư ký hoặc người chủ trì mới được sửa điểm danh."))
    participant.checked_in_at = None
    participant.attendance_mode = ""
    participant.checked_in_by = actor
    participant.attendance_corrected = True
    participant.save()
    audit_record(
        actor=actor,
        verb="attendance.cleared",
        target=participant,
        details={"user": participant.user_id},
    )
    return participant


# --- Announced live ----------------------------------------------------------------------


def publish_attendance(meeting: Meeting) -> None:
    live_publish(meeting.pk, "attendance", attendance_payload(meeting))
    live_publish_staff(meeting.pk, "roll", {"roll": roll_payload(meeting)})


@transaction.atomic
def live_check_in(*, actor: User, participant: Participant, mode: str) -> Participant:
    participant = attendance_check_in(actor=actor, participant=participant, mode=mode)
    publish_attendance(participant.meeting)
    return participant


@transaction.atomic
def live_check_in_clear(*, actor: User, participant: Participant) -> Participant:
    participant = attendance_clear(actor=actor, participant=participant)
    publish_attendance(participant.meeting)
    return participant


@transaction.atomic
def live_checkin_set(*, actor: User, meeting: Meeting, open_: bool) -> None:
    if open_:
        checkin_open(actor=actor, meeting=meeting)
    else:
        checkin_close(actor=actor, meeting=meeting)
    live_publish(meeting.pk, "checkin", {"open": open_})
