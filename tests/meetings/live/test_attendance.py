"""Attendance (điểm danh) and quorum against the body's total membership."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from meetings.live.attendance import attendance_check_in, attendance_clear, checkin_open
from meetings.models import MeetingStatus, ParticipantRole, Rsvp, VotingRule
from meetings.voting.quorum import quorum_state
from tests.meetings.helpers import add_participant


def test_participant_checks_in_while_the_meeting_is_in_progress(room):
    me = add_participant(room.meeting, checked_in=False)
    attendance_check_in(actor=me.user, participant=me, mode="remote")
    me.refresh_from_db()
    assert me.checked_in_at is not None and me.attendance_mode == "remote"
    assert me.checked_in_by == me.user and not me.attendance_corrected
    assert AuditEvent.objects.filter(verb="attendance.checked_in", object_id=str(me.pk)).exists()


def test_a_second_scan_changes_nothing(room):
    me = add_participant(room.meeting, checked_in=False)
    first = attendance_check_in(actor=me.user, participant=me, mode="in_person").checked_in_at
    again = attendance_check_in(actor=me.user, participant=me, mode="remote")
    assert again.checked_in_at == first and again.attendance_mode == "in_person"


def test_self_check_in_waits_for_the_clerk_to_open_it(room):
    room.meeting.status = MeetingStatus.INVITED
    room.meeting.save()
    me = add_participant(room.meeting, checked_in=False)
    with pytest.raises(ValidationError, match="Chưa mở điểm danh"):
        attendance_check_in(actor=me.user, participant=me, mode="in_person")
    with pytest.raises(ValidationError, match="văn thư"):
        checkin_open(actor=me.user, meeting=room.meeting)
    checkin_open(actor=room.clerk, meeting=room.meeting)
    assert attendance_check_in(actor=me.user, participant=me, mode="in_person").checked_in_at


def test_nobody_checks_in_someone_else(room):
    me = add_participant(room.meeting, checked_in=False)
    other = add_participant(room.meeting, name="Người Khác", checked_in=False)
    with pytest.raises(ValidationError, match="chính mình"):
        attendance_check_in(actor=other.user, participant=me, mode="in_person")
    me.refresh_from_db()
    assert me.checked_in_at is None


def test_unknown_mode_is_refused(room):
    me = add_participant(room.meeting, checked_in=False)
    with pytest.raises(ValidationError, match="Hình thức tham dự"):
        attendance_check_in(actor=me.user, participant=me, mode="teleport")


def test_clerk_checks_in_anyone_with_a_time_and_corrects(room):
    me = add_participant(room.meeting, checked_in=False)
    arrived = timezone.now() - timedelta(minutes=20)
    attendance_check_in(actor=room.clerk, participant=me, mode="in_person", at=arrived)
    me.refresh_from_db()
    assert me.checked_in_at == arrived and me.checked_in_by == room.clerk
    assert not me.attendance_corrected
    attendance_check_in(actor=room.clerk, participant=me, mode="remote", at=arrived)
    me.refresh_from_db()
    assert me.attendance_corrected and me.attendance_mode == "remote"
    assert AuditEvent.objects.filter(verb="attendance.corrected").count() == 1
    attendance_clear(actor=room.clerk, participant=me)
    me.refresh_from_db()
    assert me.checked_in_at is None and me.attendance_corrected


def test_only_the_clerk_clears_a_check_in(room):
    me = add_participant(room.meeting)
    with pytest.raises(ValidationError):
        attendance_clear(actor=me.user, participant=me)


def test_quorum_is_two_thirds_of_all_members(room, voters):
    voters(8)  # with the chair: 9 of 15
    state = quorum_state(room.meeting)
    assert not state.met and state.present == 9 and state.required == 10
    assert "Chưa đủ số thành viên dự họp: 9/15" in state.explanation
    voters(1)
    assert quorum_state(room.meeting).met


def test_guests_observers_and_absent_people_do_not_count(room, voters):
    voters(5)
    add_participant(room.meeting, name="Khách", role=ParticipantRole.GUEST)
    add_participant(room.meeting, name="Dự thính", role=ParticipantRole.OBSERVER)
    add_participant(room.meeting, name="Thư ký", role=ParticipantRole.SECRETARY)
    voters(3, checked_in=False)
    assert quorum_state(room.meeting).present == 6


def test_a_substitute_counts_in_place_of_the_invitee(room):
    invitee = add_participant(
        room.meeting, name="Người Được Mời", checked_in=True, rsvp=Rsvp.SUBSTITUTE
    )
    add_participant(room.meeting, name="Người Dự Thay", substitute_for=invitee)
    # Chair + substitute; the invitee who also showed up does not count twice.
    assert quorum_state(room.meeting).present == 2


def test_quorum_follows_the_bodys_rule(room, voters):
    VotingRule.objects.create(body=room.body, quorum_numerator=1, quorum_denominator=2)
    voters(7)  # 8 of 15 ≥ 1/2
    assert quorum_state(room.meeting).met
