"""Who may attend a meeting in an invitee's place (cử người dự thay).

The rule is written once, here: the reply service refuses anyone this selector does not return,
and the meeting page offers exactly what it returns. A substitute is a colleague of the invitee
(someone in one of the invitee's own bodies or units, e.g. the deputy director of the department
the invitee heads, who need not belong to the host body), active, cleared for the meeting's
confidentiality, and not already on the meeting's list. Otherwise naming a substitute would be a
way to hand a Mật meeting's documents to anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from django.db.models import QuerySet

from accounts.models import Membership, User
from meetings.models import Participant


@dataclass(frozen=True)
class SubstituteChoice:
    """One person the form offers, with what an invitee needs to tell namesakes apart."""

    pk: int
    full_name: str
    position: str
    units: str


class _BodyId(TypedDict):
    body_id: int


def _invitee_bodies(participant: Participant) -> QuerySet[Membership, _BodyId]:
    return Membership.objects.filter(user_id=participant.user_id, body__is_active=True).values(
        "body_id"
    )


def substitute_candidates(participant: Participant) -> QuerySet[User]:
    """The people *participant* may send in their place; their own current substitute included.

    The current substitute stays eligible so that re-sending the same answer (or correcting
    the reason) does not refuse the person already chosen.
    """
    meeting = participant.meeting
    on_the_list = (
        Participant.objects.filter(meeting_id=meeting.pk)
        .exclude(substitute_for_id=participant.pk)
        .values("user_id")
    )
    return (
        User.objects.filter(
            is_active=True,
            clearance__gte=meeting.confidentiality,
            memberships__body_id__in=_invitee_bodies(participant),
        )
        .exclude(pk=participant.user_id)
        .exclude(pk__in=on_the_list)
        .distinct()
    )


def substitute_allowed(participant: Participant, user: User) -> bool:
    return substitute_candidates(participant).filter(pk=user.pk).exists()


def substitute_choices(participant: Participant) -> list[SubstituteChoice]:
    """The candidates by name, each with position and the units shared with the invitee.

    Two queries whatever the number of candidates: the people, then their memberships in the
    invitee's bodies.
    """
    people = list(
        substitute_candidates(participant)
        .order_by("full_name", "username")
        .values_list("pk", "full_name", "position")
    )
    units: dict[int, list[str]] = {}
    shared = (
        Membership.objects.filter(
            user_id__in=[pk for pk, _name, _position in people],
            body_id__in=_invitee_bodies(participant),
        )
        .order_by("body__name")
        .values_list("user_id", "body__name")
    )
    for user_id, body_name in shared:
        names = units.setdefault(user_id, [])
        if body_name not in names:
            names.append(body_name)
    return [
        SubstituteChoice(pk, name, position, ", ".join(units.get(pk, [])))
        for pk, name, position in people
    ]
