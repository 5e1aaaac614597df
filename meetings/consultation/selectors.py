"""Who sees which consultation, and what each screen reads. Outsiders get nothing (404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Membership, Role, User
from documents.models import Document
from documents.selectors import documents_visible_to
from meetings.access import ORGANISER_ROLES
from meetings.models import (
    Ballot,
    BallotChoice,
    Consultation,
    ConsultationRecipient,
    ConsultationStatus,
    PollOption,
    VoteReceipt,
)
from meetings.models.voting import ConsultationQuestion


@dataclass(frozen=True)
class ConsultationAccess:
    consultation: Consultation
    can_manage: bool
    is_recipient: bool


class _BodyId(TypedDict):
    body_id: int


def _organised_body_ids(user: User) -> QuerySet[Membership, _BodyId]:
    return Membership.objects.filter(user=user, role__in=ORGANISER_ROLES).values("body_id")


def consultations_visible_to(user: User | AnonymousUser) -> QuerySet[Consultation]:
    """The body's organisers see all of its consultations; those asked see theirs once sent."""
    if not isinstance(user, User):  # anonymous
        return Consultation.objects.none()
    if user.is_superuser:
        return Consultation.objects.all()
    asked = ConsultationRecipient.objects.filter(user=user).values("consultation_id")
    return Consultation.objects.filter(
        Q(body_id__in=_organised_body_ids(user))
        | (Q(pk__in=asked) & ~Q(status=ConsultationStatus.DRAFT))
    ).filter(confidentiality__lte=user.clearance)


# Those a consultation asks: the body's chair, vice-chairs and members (not its clerks).
MEMBER_ROLES = (Role.CHAIR, Role.VICE_CHAIR, Role.MEMBER)


def consultation_level(consultation: Consultation) -> int:
    """The level a reader needs: the consultation's own, or an attached document's if higher."""
    documents = consultation.documents.aggregate(level=Max("confidentiality"))["level"]
    return max(consultation.confidentiality, documents or 0)


def may_read_consultation(user: User, level: int) -> bool:
    return bool(user.is_superuser or user.clearance >= level)


def members_to_ask(consultation: Consultation) -> QuerySet[Membership]:
    """Active members cleared for the consultation: those asked and mailed when it is sent."""
    level = consultation_level(consultation)
    return Membership.objects.filter(
        body=consultation.body, role__in=MEMBER_ROLES, user__is_active=True
    ).filter(Q(user__is_superuser=True) | Q(user__clearance__gte=level))


def consultation_left_out(consultation: Consultation) -> list[str]:
    """Names of active members not asked (or, once sent, not mailed) for lack of clearance."""
    level = consultation_level(consultation)
    asked = consultation.recipients.values("user_id")
    uncleared = (
        Membership.objects.filter(
            body=consultation.body,
            role__in=MEMBER_ROLES,
            user__is_active=True,
            user__is_superuser=False,
            user__clearance__lt=level,
        )
        .exclude(user_id__in=asked)
        .select_related("user")
        .order_by("user__full_name")
    )
    return list(dict.fromkeys(m.user.full_name for m in uncleared))


def recipients_cleared(consultation: Consultation) -> QuerySet[ConsultationRecipient]:
    """Those asked who may still read it (a clearance lowered since sending gets no mail)."""
    level = consultation_level(consultation)
    return consultation.recipients.filter(user__is_active=True).filter(
        Q(user__is_superuser=True) | Q(user__clearance__gte=level)
    )


def consultation_access(user: User, pk: int) -> ConsultationAccess | None:
    consultation = consultations_visible_to(user).select_related("body").filter(pk=pk).first()
    if consultation is None:
        return None
    can_manage = user.is_superuser or (
        Membership.objects.filter(
            user=user, body_id=consultation.body_id, role__in=ORGANISER_ROLES
        ).exists()
    )
    is_recipient = consultation.recipients.filter(user=user).exists()
    return ConsultationAccess(consultation, can_manage, is_recipient)


def consultation_questions(consultation: Consultation) -> list[ConsultationQuestion]:
    """The questions in their order, each with its poll and the poll's options."""
    options = Prefetch("poll__options", queryset=PollOption.objects.order_by("position", "id"))
    questions = consultation.questions.select_related("poll").prefetch_related(options)
    return list(questions.order_by("order"))


def _answer_rows(secret: bool) -> type[Ballot] | type[VoteReceipt]:
    # Who answered a secret question is a receipt; a named answer is its ballot.
    return VoteReceipt if secret else Ballot


class _VoterId(TypedDict):
    voter_id: int


def answered_user_ids(consultation: Consultation) -> QuerySet[Any, _VoterId]:
    """Those who answered every question (one submission answers them all, so in practice
    every answer or none), as a ``voter_id`` subquery."""
    count = consultation.questions.count()
    rows = _answer_rows(consultation.secret).objects.filter(
        poll__consultation_question__consultation=consultation
    )
    by_voter = rows.order_by().values("voter_id").annotate(answers=Count("poll_id"))
    return by_voter.filter(answers=count).values("voter_id")


def _answered_everything(user: User) -> Q:
    """For an annotation over consultations: *user* has no question of it left unanswered."""
    polls = OuterRef("poll_id")
    answered = Q(Exists(Ballot.objects.filter(poll_id=polls, voter=user))) | Q(
        Exists(VoteReceipt.objects.filter(poll_id=polls, voter=user))
    )
    open_question = ConsultationQuestion.objects.filter(consultation_id=OuterRef("pk")).exclude(
        answered
    )
    return ~Q(Exists(open_question))


def open_consultations_for(user: User | AnonymousUser) -> QuerySet[Consultation]:
    """The in-app notice on the home page: open consultations asking *user*, unanswered first."""
    if not isinstance(user, User):  # anonymous
        return Consultation.objects.none()
    asked = ConsultationRecipient.objects.filter(user=user).values("consultation_id")
    return (
        Consultation.objects.filter(pk__in=asked, status=ConsultationStatus.SENT)
        .select_related("body")
        .annotate(answered=_answered_everything(user))
        .order_by("answered", "deadline")
    )


def my_choice_ids(user: User, consultation: Consultation) -> set[int]:
    """The options *user* chose on a named consultation, all questions together (an option
    belongs to one question); a secret answer has no such link."""
    ballots = Ballot.objects.filter(
        poll__consultation_question__consultation=consultation, voter=user
    )
    return set(BallotChoice.objects.filter(ballot__in=ballots).values_list("option_id", flat=True))


def has_answered(user: User, consultation: Consultation) -> bool:
    """Whether *user* has answered every question."""
    return answered_user_ids(consultation).filter(voter_id=user.pk).exists()


def consultation_answer_refusal(user: User, consultation: Consultation) -> str | None:
    """Why *user* may not answer *consultation* now, or None (ballots asks this of each
    question's poll; the consultation asks it once before casting any)."""
    if not consultation.recipients.filter(user=user).exists():
        return gettext("Bạn không thuộc danh sách được lấy ý kiến.")
    if timezone.now() >= consultation.deadline:
        return gettext("Đã hết hạn trả lời phiếu lấy ý kiến.")
    return None


def body_documents_for(user: User, consultation: Consultation) -> QuerySet[Document]:
    """Documents the organiser may attach: the body's own, as far as the organiser may see."""
    body_id = consultation.body_id
    return (
        documents_visible_to(user)
        .filter(Q(owning_body_id=body_id) | Q(issuing_body_id=body_id))
        .order_by("-id")
    )


def attached_documents_for(user: User, consultation: Consultation) -> QuerySet[Document]:
    """Attached documents a reader is cleared for; the rest stay out of sight."""
    return documents_visible_to(user).filter(pk__in=consultation.documents.values("pk"))
