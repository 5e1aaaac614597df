"""Who may see, prepare and run a meeting, and the one way a meeting service says no.

Every package of the app (preparation, voting, live, minutes) asks these questions here, so a
role rule is written once: the host body's organisers prepare a meeting and see it whatever
its state; invitees see it once it is sent; clearance comes on top of both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn, TypedDict

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext

import kyhop.lookups  # noqa: F401 - registers the __any lookup used below
from accounts.models import Body, Membership, Role, User
from meetings.models import (
    AgendaDocument,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantRole,
)

# Roles in the host body that prepare and run its meetings.
ORGANISER_ROLES = (Role.CHAIR, Role.VICE_CHAIR, Role.CLERK, Role.SECRETARY)
# A meeting over or called off: nobody checks in or votes any more.
FINISHED = (
    MeetingStatus.CLOSED,
    MeetingStatus.MINUTES_SIGNED,
    MeetingStatus.ARCHIVED,
    MeetingStatus.CANCELLED,
)


def refuse(message: str) -> NoReturn:
    """A service's refusal: the message reaches the person as it is (views answer 400)."""
    raise ValidationError(message)


class _BodyId(TypedDict):
    body_id: int


def _organised_body_ids(user: User) -> QuerySet[Membership, _BodyId]:
    return Membership.objects.filter(user=user, role__in=ORGANISER_ROLES).values("body_id")


def meetings_visible_to(user: User | AnonymousUser) -> QuerySet[Meeting]:
    """Participants, plus the host body's clerks and chairs; confidentiality on top."""
    if not isinstance(user, User):  # anonymous
        return Meeting.objects.none()
    if user.is_superuser:
        return Meeting.objects.all()
    participating = Participant.objects.filter(user=user).values("meeting_id")
    # Invitees see a meeting once it is sent; a draft is the organisers' business.
    as_participant = Q(pk__in=participating) & ~Q(status=MeetingStatus.DRAFT)
    return Meeting.objects.filter(
        as_participant | Q(body_id__in=_organised_body_ids(user)),
        confidentiality__lte=user.clearance,
    )


@dataclass(frozen=True)
class MeetingAccess:
    meeting: Meeting
    participant: Participant | None
    can_manage: bool


def meeting_access(user: User | AnonymousUser, pk: int) -> MeetingAccess | None:
    """The meeting, the person's row in it and whether they organise it; None if hidden.

    The meeting page needs all three. Deciding visibility on those rows, with the same rule as
    ``meetings_visible_to`` (tested to agree case by case), saves the union query on the
    busiest page of a meeting day: an official's page costs three small lookups.
    """
    if not isinstance(user, User):  # anonymous
        return None
    # Plain single-table lookups: joins and the models' default orderings cost more in the
    # ORM's query compiler than a second round trip to the database.
    participant = Participant.objects.filter(meeting_id=pk, user=user).order_by().first()
    try:
        meeting = Meeting.objects.select_related("body").get(pk=pk)
    except Meeting.DoesNotExist:
        return None
    can_manage = user.is_superuser or (
        Membership.objects.filter(
            user=user, body_id=meeting.body_id, role__in=ORGANISER_ROLES
        ).exists()
    )
    invited = participant is not None and meeting.status != MeetingStatus.DRAFT
    visible = (invited or can_manage) and cleared_for(user, meeting)
    return MeetingAccess(meeting, participant, can_manage) if visible else None


def cleared_for(user: User, meeting: Meeting) -> bool:
    """Clearance on top of every role: a Mật meeting only for those cleared for Mật."""
    return user.is_superuser or meeting.confidentiality <= user.clearance


def _cleared_users() -> Q:
    """``cleared_for`` as a filter on a user relation (tested to agree with it)."""
    return Q(user__is_superuser=True) | Q(user__clearance__gte=F("meeting__confidentiality"))


def participants_who_may_read(meeting: Meeting) -> QuerySet[Participant]:
    """Invitees who may open the meeting and what its mail carries (agenda, .ics, minutes):
    what ``meeting_access`` grants an invitee of a sent meeting, for all of them in one query.
    Mail goes only to them."""
    return Participant.objects.filter(meeting=meeting, user__is_active=True).filter(
        _cleared_users()
    )


def members_not_cleared(meeting: Meeting, body: Body) -> QuerySet[Membership]:
    """Active members of *body* who may not open *meeting*: not invited, not mailed."""
    return (
        Membership.objects.filter(body=body, user__is_active=True, user__is_superuser=False)
        .filter(user__clearance__lt=meeting.confidentiality)
        .select_related("user")
    )


def meeting_visible_to(user: User | AnonymousUser, meeting: Meeting) -> bool:
    return meetings_visible_to(user).filter(pk=meeting.pk).exists()


def meeting_manageable_by(user: User | AnonymousUser, meeting: Meeting) -> bool:
    """Clerks, secretaries and chairs of the host body prepare the meeting."""
    if not isinstance(user, User):  # anonymous
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user, body_id=meeting.body_id, role__in=ORGANISER_ROLES
    ).exists()


def bodies_user_can_host_for(user: User) -> QuerySet[Body]:
    if user.is_superuser:
        return Body.objects.filter(is_active=True)
    return Body.objects.filter(pk__in=_organised_body_ids(user), is_active=True)


def organises_body(actor: User, body: Body) -> bool:
    """Organisers of *body* (its chairs, clerks and secretaries): written consultations."""
    if getattr(actor, "is_superuser", False):
        return True
    return Membership.objects.filter(user=actor, body=body, role__in=ORGANISER_ROLES).exists()


def participation_of(user: User, meeting: Meeting) -> Participant | None:
    return Participant.objects.filter(meeting=meeting, user=user).first()


def is_chair(actor: User, meeting: Meeting) -> bool:
    """The meeting's chair (a participant's role), who opens and closes its votes."""
    return Participant.objects.filter(
        meeting=meeting, user=actor, role=ParticipantRole.CHAIR
    ).exists()


def is_clerk(actor: User, meeting: Meeting) -> bool:
    """Organisers of the host body, and the meeting's own secretary, keep the attendance."""
    if meeting_manageable_by(actor, meeting):
        return True
    return Participant.objects.filter(
        meeting=meeting, user=actor, role=ParticipantRole.SECRETARY
    ).exists()


def may_run(actor: User, meeting: Meeting) -> bool:
    """The chair runs the meeting; the secretary and organisers may work the console for them."""
    return is_chair(actor, meeting) or is_clerk(actor, meeting)


def require_runner(actor: User, meeting: Meeting) -> None:
    if not may_run(actor, meeting):
        refuse(gettext("Chỉ người chủ trì hoặc thư ký mới được điều hành phiên họp."))


def documents_granted_by_meetings(user: User | AnonymousUser) -> Q:
    """Grant: documents on the agenda of a meeting the person takes part in or organises.

    The visible meetings are read first (one small query: a clerk of the provincial committee
    sees ~1,500 over five years) and handed to the document query as a list. Written as
    subqueries, PostgreSQL joined every agenda document of the province (200,000) on each
    document query (~300 ms), or, once it expected few rows, re-ran that join for each row it
    read (tens of seconds for a search with rare words).
    """
    if not isinstance(user, User):  # anonymous
        return Q(pk__in=[])
    rows = list(
        meetings_visible_to(user)
        .order_by()
        .values_list("pk", "invitation_document_id", "agenda_document_id")
    )
    meeting_ids = [row[0] for row in rows]
    issued = {doc for row in rows for doc in row[1:] if doc is not None}
    # ``__any``: one array parameter, not a placeholder per id (kyhop/lookups.py).
    on_agenda = AgendaDocument.objects.filter(
        document_id=OuterRef("pk"), item__meeting_id__any=meeting_ids
    )
    return Q(Exists(on_agenda)) | Q(pk__any=sorted(issued))


def agenda_documents_visible_q(user: User) -> Q:
    """For someone who can see a meeting: which of its agenda documents they may open.

    The meetings grant (documents_granted_by_meetings) opens every agenda document of a
    visible meeting, and documents' own rule keeps confidentiality on top; so once the meeting
    itself is known to be visible, the clearance check is all that is left. This keeps the
    meeting page to plain queries instead of the full visibility union.
    """
    if getattr(user, "is_superuser", False):
        return Q()
    return Q(document__confidentiality__lte=user.clearance)
