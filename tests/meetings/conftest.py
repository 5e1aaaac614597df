"""Fixtures for meetings tests.

``host`` and ``meeting``: a provincial People's Committee preparing a draft meeting (used by the
preparation and screen tests). ``room`` and ``voters``: a committee of 15 with a meeting in
progress, for attendance and votes; made with the ORM so those tests do not depend on the
preparation services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import Body, User
from meetings.models import (
    AgendaItem,
    Meeting,
    Participant,
    ParticipantRole,
)
from tests.factories import make_body, make_user
from tests.meetings.helpers import add_participant, make_meeting

# --- Preparing a meeting (host, meeting) ---------------------------------------------------


@dataclass
class Host:
    body: Body
    other_body: Body
    clerk: User
    chair: User
    members: list[User]
    outsider: User


@pytest.fixture
def host(db) -> Host:
    """UBND tỉnh: chair, clerk and three members; another body with one member; an outsider."""
    body = make_body(
        code="ubnd-bn", name="Ủy ban nhân dân tỉnh Bắc Ninh", symbol="UBND", total_members=3
    )
    other = make_body(code="sttt-bn", name="Sở Thông tin và Truyền thông", symbol="STTTT")
    chair = make_user(
        username="chutich",
        full_name="Nguyễn Văn Hùng",
        position="Chủ tịch Ủy ban nhân dân tỉnh",
        body=body,
        role="chair",
        email="chutich@example.vn",
    )
    clerk = make_user(
        username="vanthu",
        full_name="Lê Thị Thu",
        position="Văn thư",
        body=body,
        role="clerk",
        email="vanthu@example.vn",
    )
    members = [
        make_user(
            username=f"tv{n}", full_name=name, body=body, role="member", email=f"tv{n}@example.vn"
        )
        for n, name in enumerate(["Trần Văn An", "Phạm Thị Bình", "Hoàng Văn Cường"])
    ]
    make_user(
        username="sotttt",
        full_name="Đỗ Minh Đức",
        body=other,
        role="member",
        email="sotttt@example.vn",
    )
    outsider = make_user(username="ngoai", full_name="Vũ Thị Ngoài", email="ngoai@example.vn")
    return Host(body, other, clerk, chair, members, outsider)


@pytest.fixture
def meeting(host: Host) -> Meeting:
    """A draft regular meeting at 08:00 on Thursday 3 December 2026 (Vietnam time)."""
    from meetings.preparation import services

    starts = timezone.make_aware(datetime(2026, 12, 3, 8, 0))
    return services.meeting_create(
        actor=host.clerk,
        body=host.body,
        title="Phiên họp thường kỳ tháng 12 năm 2026",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        place="Phòng họp số 1, trụ sở UBND tỉnh",
    )


# --- A meeting in progress (room, voters) ---------------------------------------------------


@dataclass
class Room:
    body: Body
    meeting: Meeting
    item: AgendaItem
    clerk: User
    chair: User
    chair_participant: Participant


@pytest.fixture
def room(db) -> Room:
    """UBND with 15 members; the chair is present; nobody else yet."""
    body = make_body(name="Ủy ban nhân dân tỉnh Bắc Ninh", symbol="UBND", total_members=15)
    clerk = make_user(full_name="Lê Thị Văn Thư", body=body, role="clerk")
    chair = make_user(full_name="Nguyễn Văn Chủ Tịch", body=body, role="chair")
    meeting = make_meeting(body, clerk)
    item = AgendaItem.objects.create(meeting=meeting, title="Tờ trình về kế hoạch đầu tư công")
    chair_participant = add_participant(meeting, user=chair, role=ParticipantRole.CHAIR)
    return Room(body, meeting, item, clerk, chair, chair_participant)


@pytest.fixture
def voters(room: Room) -> Callable[[int], list[Participant]]:
    """voters(n): n more present voting members (with the chair, n + 1 voters)."""

    def build(count: int, *, checked_in: bool = True) -> list[Participant]:
        return [
            add_participant(room.meeting, name=f"Thành Viên Số {n}", checked_in=checked_in)
            for n in range(count)
        ]

    return build
