"""Deadline reminders (hạn xử lý) of signing requests, run on the schedule (signing/tasks.py).

Whoever must act on an open step of a running request with a deadline is reminded once when
the deadline is within ``KYHOP_SIGNING_REMINDER_HOURS`` and once more when it has passed. Each
reminder is recorded on the assignee row (``reminded_at``, ``overdue_reminded_at``), taken
under a row lock, so a job run twice or by two schedulers sends nothing twice; the outbox key
guards the mail as well. Mail goes through the outbox, only to people cleared for the document
(``notify``); the on-screen notice goes to every assignee.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from signing.models import (
    AssigneeStatus,
    RequestStatus,
    SigningStep,
    StepAssignee,
    StepStatus,
)
from signing.requests.base import request_audit
from signing.requests.notices import notify, seal_clerks

SOON = "soon"
OVERDUE = "overdue"


def deadline_phrase(moment: dt.datetime) -> str:
    """ "17:00 ngày 05/12/2026", in Vietnam's time (the source language's date order)."""
    local = timezone.localtime(moment)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def _lead() -> dt.timedelta:
    return dt.timedelta(hours=settings.KYHOP_SIGNING_REMINDER_HOURS)


def reminders_due(now: dt.datetime) -> list[tuple[int, str]]:
    """(assignee id, kind) of every reminder that is due at *now* and not yet sent."""
    rows = StepAssignee.objects.filter(
        status=AssigneeStatus.WAITING,
        step__status=StepStatus.ACTIVE,
        step__request__status=RequestStatus.IN_PROGRESS,
        step__request__deadline__isnull=False,
        step__request__deadline__lte=now + _lead(),
    ).values_list("pk", "step__request__deadline", "reminded_at", "overdue_reminded_at")
    due = []
    for pk, deadline, reminded_at, overdue_reminded_at in rows:
        assert deadline is not None  # filtered on deadline__isnull=False
        if deadline <= now:
            if overdue_reminded_at is None:
                due.append((pk, OVERDUE))
        elif reminded_at is None:
            due.append((pk, SOON))
    return due


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
        key=f"signing-request:{request.pk}:assignee:{assignee.pk}:{kind}",
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
    return sum(
        assignee_remind(assignee_id=pk, kind=kind, now=now) for pk, kind in reminders_due(now)
    )
