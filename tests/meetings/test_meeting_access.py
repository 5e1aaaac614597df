"""``meeting_access`` (the meeting page's fast path) agrees with ``meetings_visible_to``.

The page decides visibility from rows it needs anyway instead of the union query; the two must
never disagree, whatever the person's place, the meeting's status or its confidentiality.
"""

from __future__ import annotations

import itertools

import pytest

from meetings.access import meeting_access, meetings_visible_to
from meetings.models import MeetingStatus, Participant, ParticipantRole
from tests.factories import make_user

STATUSES = [MeetingStatus.DRAFT, MeetingStatus.INVITED, MeetingStatus.CLOSED]


@pytest.fixture
def people(host, meeting):
    """One person per kind of relation to the meeting, each with clearance 0."""
    invitee = host.members[0]
    Participant.objects.create(meeting=meeting, user=invitee, role=ParticipantRole.VOTING)
    admin = make_user(username="quantri", full_name="Quản Trị Viên")
    admin.is_superuser = True
    admin.save()
    return {
        "clerk": host.clerk,
        "chair": host.chair,
        "invitee": invitee,
        "member not invited": host.members[1],
        "outsider": host.outsider,
        "superuser": admin,
    }


@pytest.mark.parametrize(
    ("status", "confidentiality", "clearance"),
    list(itertools.product(STATUSES, [0, 1], [0, 1])),
)
def test_agrees_with_the_visibility_rule(people, meeting, status, confidentiality, clearance):
    meeting.status, meeting.confidentiality = status, confidentiality
    meeting.save()
    for name, user in people.items():
        user.clearance = clearance
        user.save()
        expected = meetings_visible_to(user).filter(pk=meeting.pk).exists()
        access = meeting_access(user, meeting.pk)
        assert (access is not None) == expected, (name, status, confidentiality, clearance)
        if access is not None:
            assert access.meeting.pk == meeting.pk
            assert (access.participant is not None) == (name == "invitee")
            assert access.can_manage == (name in {"clerk", "chair", "superuser"})


def test_unknown_meeting_and_anonymous(people, meeting):
    from django.contrib.auth.models import AnonymousUser

    assert meeting_access(people["superuser"], meeting.pk + 999) is None
    assert meeting_access(AnonymousUser(), meeting.pk) is None


def test_someone_elses_substitute_row_gives_no_access(host, people, meeting):
    """A row for the invitee does not open the meeting to the person they named."""
    meeting.status = MeetingStatus.INVITED
    meeting.save()
    invitee_row = Participant.objects.get(meeting=meeting, user=people["invitee"])
    assert meeting_access(people["member not invited"], meeting.pk) is None
    Participant.objects.create(
        meeting=meeting,
        user=people["member not invited"],
        role=invitee_row.role,
        substitute_for=invitee_row,
    )
    access = meeting_access(people["member not invited"], meeting.pk)
    assert access is not None and access.participant.substitute_for_id == invitee_row.pk
