"""Reads about signing requests, each carrying its permission rule.

Who sees a request: its clerk (the creator), every assignee (a seal assignee's body clerks
too), the readers in copy, and superusers. Everyone else gets 404 from the views.
"""

from __future__ import annotations

from typing import TypedDict

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_noop

from accounts.models import Body, Membership, Role, User
from signing.models import (
    AssigneeStatus,
    BodySigningSettings,
    PadesLevelChoice,
    RequestStatus,
    SigningRequest,
    SigningStep,
    StepAssignee,
    StepKind,
    StepStatus,
)


class _BodyId(TypedDict):
    body_id: int


def _clerk_body_ids(user: User) -> QuerySet[Membership, _BodyId]:
    return Membership.objects.filter(user=user, role=Role.CLERK).values("body_id")


def _mine(user: User) -> Q:
    """Assignee rows *user* acts on: named, or an unnamed seal of a body they are clerk of."""
    return Q(user=user) | Q(user__isnull=True, seal_body_id__in=_clerk_body_ids(user))


def requests_visible_to(user: User | AnonymousUser) -> QuerySet[SigningRequest]:
    if not isinstance(user, User) or not user.is_active:  # anonymous or deactivated
        return SigningRequest.objects.none()
    if user.is_superuser:
        return SigningRequest.objects.all()
    assigned = StepAssignee.objects.filter(_mine(user)).values("step__request_id")
    return SigningRequest.objects.filter(
        Q(created_by=user) | Q(pk__in=assigned) | Q(readers__user=user)
    ).distinct()


def request_for(user: User, pk: int) -> SigningRequest | None:
    return (
        requests_visible_to(user)
        .select_related("document", "current_version__blob", "created_by", "body")
        .filter(pk=pk)
        .first()
    )


def request_may_manage(user: User, request: SigningRequest) -> bool:
    """The clerk who routed it (or a superuser) sends, numbers and cancels it."""
    return bool(user.is_superuser or request.created_by_id == user.pk)


def main_request_choices(user: User, body_id: int) -> QuerySet[SigningRequest]:
    """The requests an attachment of *body_id* may go with: main documents (not attachments)
    the clerk routed, running or completed, newest first."""
    found = SigningRequest.objects.filter(
        body_id=body_id,
        is_attachment=False,
        status__in=(RequestStatus.DRAFT, RequestStatus.IN_PROGRESS, RequestStatus.COMPLETED),
    )
    if not user.is_superuser:
        found = found.filter(created_by=user)
    return found.select_related("document").order_by("-created_at", "-pk")


def assignee_may_act(user: User | AnonymousUser, assignee: StepAssignee) -> bool:
    if not isinstance(user, User) or not user.is_active:  # anonymous or deactivated
        return False
    if assignee.user_id is not None:
        return assignee.user_id == user.pk
    if assignee.seal_body_id is None:
        return False
    return Membership.objects.filter(
        user=user, body_id=assignee.seal_body_id, role=Role.CLERK
    ).exists()


def request_steps(request: SigningRequest) -> list[SigningStep]:
    """The steps with their assignees, in two queries whatever their number."""
    return list(
        request.steps.order_by("order").prefetch_related(
            "assignees__user",
            "assignees__seal_body",
            "assignees__delegated_to",
            "assignees__delegated_from__user",
        )
    )


def waiting_for(user: User) -> QuerySet[StepAssignee]:
    """The inbox: what waits for *user* now (active steps of running requests)."""
    return (
        StepAssignee.objects.filter(
            _mine(user),
            status=AssigneeStatus.WAITING,
            step__status=StepStatus.ACTIVE,
            step__request__status=RequestStatus.IN_PROGRESS,
        )
        .select_related(
            "step__request__document", "step__request__created_by", "delegated_from__user"
        )
        .order_by("step__request__sent_at", "pk")
    )


def acted_by(user: User) -> QuerySet[StepAssignee]:
    return (
        StepAssignee.objects.filter(acted_by=user)
        .select_related("step__request__document")
        .order_by("-acted_at", "-pk")
    )


def my_action(user: User, request: SigningRequest) -> StepAssignee | None:
    """The row *user* may act on in *request* now, if any."""
    return waiting_for(user).filter(step__request=request).first()


def requests_created_by(user: User) -> QuerySet[SigningRequest]:
    return SigningRequest.objects.filter(created_by=user).select_related("document")


# Why a request cannot be numbered now (Vietnamese source text, translated where shown).
NOT_AT_NUMBERING = gettext_noop("Văn bản này không ở bước cấp số.")
MAIN_NOT_SIGNED = gettext_noop("Chỉ cấp số sau khi người có thẩm quyền đã ký.")


def request_number_refusal(request: SigningRequest) -> str | None:
    """Why *request* cannot be given its number and date now, or None when it can: once,
    while it runs, after every competent person's (MAIN) step is done (Decree 30 Art. 15.3).
    The one statement of that rule: the numbering service refuses with this reason, and the
    request page offers the form when there is none."""
    if request.status != RequestStatus.IN_PROGRESS or request.numbered_at is not None:
        return NOT_AT_NUMBERING
    if request.steps.filter(kind=StepKind.MAIN).exclude(status=StepStatus.DONE).exists():
        return MAIN_NOT_SIGNED
    return None


def default_level_for(body: Body) -> str:
    """The PAdES level a request of *body* gets unless the clerk chooses: the body's setting,
    B-LTA for a body without one."""
    settings_row = BodySigningSettings.objects.filter(body=body).first()
    return settings_row.pades_level if settings_row else PadesLevelChoice.B_LTA


# A request that still runs (or waits to be sent): the document's way is through it.
OPEN_STATUSES = (RequestStatus.DRAFT, RequestStatus.IN_PROGRESS)


def open_requests_by_document(user: User, document_ids: list[int]) -> dict[int, SigningRequest]:
    """The open request *user* can see for each of *document_ids* (one query)."""
    found = requests_visible_to(user).filter(document_id__in=document_ids, status__in=OPEN_STATUSES)
    return {request.document_id: request for request in found.order_by("pk")}
