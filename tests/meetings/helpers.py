"""Plain helpers for meetings tests (fixtures are in conftest.py and used by name)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import Body, User
from meetings.models import Meeting, MeetingStatus, Participant, ParticipantRole
from tests.factories import make_user


def add_participant(
    meeting: Meeting,
    *,
    name: str = "Trần Văn Bình",
    role: str = ParticipantRole.VOTING,
    checked_in: bool = True,
    user: User | None = None,
    **extra: object,
) -> Participant:
    user = user or make_user(full_name=name, body=meeting.body, role="member")
    return Participant.objects.create(
        meeting=meeting,
        user=user,
        role=role,
        checked_in_at=timezone.now() if checked_in else None,
        attendance_mode="in_person" if checked_in else "",
        **extra,
    )


def make_meeting(body: Body, creator: User, status: str = MeetingStatus.IN_PROGRESS) -> Meeting:
    now = timezone.now()
    return Meeting.objects.create(
        body=body,
        title="Phiên họp thường kỳ tháng 11",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
        place="Phòng họp số 1",
        status=status,
        created_by=creator,
    )
