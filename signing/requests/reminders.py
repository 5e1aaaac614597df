"""Deadlines (hạn xử lý) of signing requests: changed by the clerk, reminded on the schedule
(signing/tasks.py).

Whoever must act on an open step of a running request with a deadline is reminded once when
the deadline is within ``KYHOP_SIGNING_REMINDER_HOURS`` and once more when it has passed; so is
the clerk whose "Cấp số" the request waits for after the competent person's signature (the
seal clerks are not: they cannot act before the number). Each reminder is recorded on its row
(the assignee's ``reminded_at``/``overdue_reminded_at``, the request's ``number_*`` fields),
taken under a row lock, so a job run twice or by two schedulers sends nothing twice; the outbox
key (which names the deadline) guards the mail as well. A new deadline clears the records, so
its reminders go in their turn. Mail goes through the outbox, only to people cleared for the
document (``notify``); the on-screen notice goes to every recipient.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from signing.models import (
    AssigneeStatus,
    RequestStatus,
    SigningRequest,
    SigningStep,
    StepAssignee,
    StepKind,
    StepStatus,
)
from signing.requests.base import request_audit, request_locked
from signing.requests.notices import notify, seal_clerks
from signing.selectors import request_may_manage

SOON = "soon"
OVERDUE = "overdue"


def deadline_phrase(moment: dt.datetime) -> str:
    """ "17:00 ngày 05/12/2026", in Vietnam's time (the source language's date order)."""
    local = timezone.localtime(moment)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def _lead() -> dt.timedelta:
    return dt.timedelta(hours=settings.KYHOP_SIGNING_REMINDER_HOURS)


def _stamp(deadline: dt.datetime) -> str:
    """The deadline in a mail's outbox key: a changed deadline's reminders are new mail."""
    return timezone.localtime(deadline).strftime("%Y%m%d%H%M")


def _kind_due(deadline: dt.datetime, now: dt.datetime, soon_sent: object, late_sent: object) -> str:
    """SOON, OVERDUE or "" (nothing due) for a deadline within the lead or past."""
    if deadline <= now:
        return OVERDUE if late_sent is None else ""
    return SOON if soon_sent is None else ""


# --- Changing the deadline ----------------------------------------------------------------------


@transaction.atomic
def request_deadline_set(
    *, actor: User, request: SigningRequest, deadline: dt.datetime | None
) -> SigningRequest:
    """The clerk moves (or removes) the deadline of an open request; those who must act now
    are told, and the reminders start again for the new one."""
    request = request_locked(request)
    if not request_may_manage(actor, request):
        raise PermissionDenied(gettext("Chỉ văn thư trình ký mới đổi được hạn xử lý."))
    if request.status not in (RequestStatus.DRAFT, RequestStatus.IN_PROGRESS):
        raise ValidationError(gettext("Yêu cầu này đã kết thúc."))
    if deadline is not None and deadline <= timezone.now():
        raise ValidationError(
            {"deadline": gettext("Hạn xử lý phải là một thời điểm sau hiện tại.")}
        )
    before = request.deadline
    if before == deadline:
        return request
    request.deadline = deadline
    request.number_reminded_at = request.number_overdue_reminded_at = None
    request.save(update_fields=["deadline", "number_reminded_at", "number_overdue_reminded_at"])
    waiting = StepAssignee.objects.filter(step__request=request, status=AssigneeStatus.WAITING)
    waiting.update(reminded_at=None, overdue_reminded_at=None)
    request_audit(
        actor,
        "deadline_changed",
        request,
        before=before.isoformat() if before else None,
        after=deadline.isoformat() if deadline else None,
    )
    if request.status == RequestStatus.IN_PROGRESS:
        _tell_who_must_act(request, deadline)
    return request


def _tell_who_must_act(request: SigningRequest, deadline: dt.datetime | None) -> None:
    assignees = StepAssignee.objects.filter(
        step__request=request, step__status=StepStatus.ACTIVE, status=AssigneeStatus.WAITING
    ).select_related("user", "step")
    users: list[User] = []
    for assignee in assignees:
        users += _recipients(assignee)
    if deadline is None:
        message = f"Đã bỏ hạn xử lý: {request.document}"
    else:
        message = f"Hạn xử lý đổi thành {deadline_phrase(deadline)}: {request.document}"
    notify(users, request, message, purpose="deadline-changed")


# --- Reminders ------------------------------------------------------------------------------------


def reminders_due(now: dt.datetime) -> list[tuple[int, str]]:
    """(assignee id, kind) of every reminder that is due at *now* and not yet sent."""
    rows = (
        StepAssignee.objects.filter(
            status=AssigneeStatus.WAITING,
            step__status=StepStatus.ACTIVE,
            step__request__status=RequestStatus.IN_PROGRESS,
            step__request__deadline__isnull=False,
            step__request__deadline__lte=now + _lead(),
        )
        # The seal waits for the number: the clerk is reminded of that, not the seal clerks.
        .exclude(
            step__kind=StepKind.SEAL,
            step__request__numbered_at__isnull=True,
            step__request__is_attachment=False,
        )
        # So does an attachment's: it is signed with its main document's number.
        .exclude(
            step__kind=StepKind.SEAL,
            step__request__is_attachment=True,
            step__request__main_request__isnull=False,
            step__request__main_request__numbered_at__isnull=True,
        )
        .values_list("pk", "step__request__deadline", "reminded_at", "overdue_reminded_at")
    )
    due = []
    for pk, deadline, reminded_at, overdue_reminded_at in rows:
        assert deadline is not None  # filtered on deadline__isnull=False
        kind = _kind_due(deadline, now, reminded_at, overdue_reminded_at)
        if kind:
            due.append((pk, kind))
    return due


def _awaiting_number(now: dt.datetime) -> QuerySet[SigningRequest]:
    """Running requests signed by the competent person, not yet numbered, due within the lead."""
    return SigningRequest.objects.filter(
        status=RequestStatus.IN_PROGRESS,
        is_attachment=False,
        numbered_at__isnull=True,
        deadline__isnull=False,
        deadline__lte=now + _lead(),
        steps__kind=StepKind.MAIN,
        steps__status=StepStatus.DONE,
    ).distinct()


def number_reminders_due(now: dt.datetime) -> list[tuple[int, str]]:
    """(request id, kind) of every "Cấp số" reminder due at *now* and not yet sent."""
    rows = _awaiting_number(now).values_list(
        "pk", "deadline", "number_reminded_at", "number_overdue_reminded_at"
    )
    due = []
    for pk, deadline, soon_sent, late_sent in rows:
        assert deadline is not None  # filtered on deadline__isnull=False
        kind = _kind_due(deadline, now, soon_sent, late_sent)
        if kind:
            due.append((pk, kind))
    return due


@transaction.atomic
def number_remind(*, request_id: int, kind: str, now: dt.datetime) -> bool:
    """Remind the clerk of a "Cấp số" still due (re-checked under the row lock); True if sent."""
    request = (
        SigningRequest.objects.select_for_update(of=("self",))
        .select_related("document", "created_by")
        # FOR UPDATE refuses DISTINCT: the condition is a subquery.
        .filter(pk=request_id, pk__in=_awaiting_number(now).values("pk"))
        .first()
    )
    if request is None or request.deadline is None:
        return False
    if (
        _kind_due(
            request.deadline, now, request.number_reminded_at, request.number_overdue_reminded_at
        )
        != kind
    ):
        return False
    when = deadline_phrase(request.deadline)
    if kind == OVERDUE:
        request.number_overdue_reminded_at = now
        request.number_reminded_at = request.number_reminded_at or now
        message = f"Quá hạn xử lý ({when}): văn bản đã ký, chờ cấp số: {request.document}"
    else:
        request.number_reminded_at = now
        message = f"Sắp đến hạn xử lý ({when}): văn bản đã ký, chờ cấp số: {request.document}"
    request.save(update_fields=["number_reminded_at", "number_overdue_reminded_at"])
    notify(
        [request.created_by],
        request,
        message,
        purpose=f"number-{kind}",
        key=f"signing-request:{request.pk}:number:{kind}:{_stamp(request.deadline)}",
    )
    request_audit(
        None,
        "deadline_reminded",
        request,
        step="number",
        kind=kind,
        deadline=request.deadline.isoformat(),
    )
    return True


def _recipients(assignee: StepAssignee) -> list[User]:
    if assignee.user is not None:
        return [assignee.user]
    step: SigningStep = assignee.step
    return seal_clerks(step)


@transaction.atomic
def assignee_remind(*, assignee_id: int, kind: str, now: dt.datetime) -> bool:
    """Send one reminder if it is still due (re-checked under the row lock); True if sent."""
    assignee = (
        StepAssignee.objects.select_for_update(of=("self",))
        .select_related("step__request__document", "user")
        .filter(
            pk=assignee_id,
            status=AssigneeStatus.WAITING,
            step__status=StepStatus.ACTIVE,
            step__request__status=RequestStatus.IN_PROGRESS,
        )
        .first()
    )
    if assignee is None:
        return False
    request = assignee.step.request
    if request.deadline is None:
        return False
    when = deadline_phrase(request.deadline)
    kind_label = assignee.step.get_kind_display().lower()
    if kind == OVERDUE:
        if assignee.overdue_reminded_at is not None or request.deadline > now:
            return False
        assignee.overdue_reminded_at = now
        assignee.reminded_at = assignee.reminded_at or now
        message = f"Quá hạn xử lý ({when}): văn bản chờ bạn {kind_label}: {request.document}"
    else:
        if assignee.reminded_at is not None or not (now < request.deadline <= now + _lead()):
            return False
        assignee.reminded_at = now
        message = f"Sắp đến hạn xử lý ({when}): văn bản chờ bạn {kind_label}: {request.document}"
    assignee.save(update_fields=["reminded_at", "overdue_reminded_at"])
    notify(
        _recipients(assignee),
        request,
        message,
        purpose=f"deadline-{kind}",
        key=f"signing-request:{request.pk}:assignee:{assignee.pk}:{kind}:{_stamp(request.deadline)}",
    )
    request_audit(
        None,
        "deadline_reminded",
        request,
        step=assignee.step.order,
        assignee=assignee.pk,
        kind=kind,
        deadline=request.deadline.isoformat(),
    )
    return True


def requests_remind_due(*, now: dt.datetime | None = None) -> int:
    """Every reminder due now, each once; returns how many were sent."""
    now = now or timezone.now()
    signers = sum(
        assignee_remind(assignee_id=pk, kind=kind, now=now) for pk, kind in reminders_due(now)
    )
    clerks = sum(
        number_remind(request_id=pk, kind=kind, now=now) for pk, kind in number_reminders_due(now)
    )
    return signers + clerks
