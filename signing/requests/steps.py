"""Step transitions of a signing request: activate the next step, advance after a
signature, return to the clerk, delegate to someone else.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User, nfc
from documents.models import Document, DocumentStatus
from signing.backends.identities import identity_for_user
from signing.models import (
    AssigneeStatus,
    RequestStatus,
    SigningRequest,
    SigningStep,
    StepAssignee,
    StepKind,
    StepStatus,
)
from signing.requests.base import acting_assignee, request_audit, request_locked, sent_version
from signing.requests.notices import notify, seal_clerks
from signing.validation.incoming import version_validate_task

# Notices (on screen and by e-mail) go to other people and stay Vietnamese; refusals to the
# person acting are in their language.


def step_activate(step: SigningStep | None) -> None:
    if step is None:
        return
    step.status = StepStatus.ACTIVE
    step.save(update_fields=["status"])
    users = [a.user for a in step.assignees.select_related("user") if a.user]
    users += seal_clerks(step)
    kind = step.get_kind_display().lower()
    notify(users, step.request, f"Có văn bản chờ bạn {kind}: {step.request.document}")


def request_awaits_number(request: SigningRequest) -> bool:
    """Numbering (Decree 30 Art. 15.3) follows the competent person's signature in every
    request but a separate attachment's (numbered with its main document)."""
    return not request.is_attachment and request.numbered_at is None


def step_advance(actor: User, request: SigningRequest, step: SigningStep) -> None:
    if step.assignees.filter(status=AssigneeStatus.WAITING).exists():
        return
    step.status = StepStatus.DONE
    step.save(update_fields=["status"])
    if step.kind == StepKind.MAIN and request_awaits_number(request):
        notify([request.created_by], request, f"Đã ký, chờ cấp số: {request.document}")
    following = request.steps.filter(order__gt=step.order).order_by("order").first()
    if following is not None:
        step_activate(following)
        return
    request_complete_if_done(actor, request)


def request_complete_if_done(actor: User | None, request: SigningRequest) -> None:
    """Complete *request* once every step is done and it is numbered (the "Cấp số" step that
    follows the main signature when there is no seal step)."""
    if request.steps.exclude(status=StepStatus.DONE).exists() or request_awaits_number(request):
        return
    request.status = RequestStatus.COMPLETED
    request.completed_at = timezone.now()
    request.save(update_fields=["status", "completed_at"])
    Document.objects.filter(pk=request.document_id).update(status=DocumentStatus.ISSUED)
    _attachment_numbered_with_main(request)
    final = sent_version(request)
    request_audit(
        actor,
        "request_completed",
        request,
        final_sha256=final.blob.sha256,
        version=final.number,
    )
    readers = [r.user for r in request.readers.select_related("user")]
    notify([request.created_by, *readers], request, f"Đã ký xong: {request.document}")
    # The issued original is checked once, by the worker after the commit (it may take
    # seconds), so the document page and list show its verdict instead of "—".
    final_id = final.pk
    transaction.on_commit(lambda: version_validate_task.enqueue(version_id=final_id, actor_id=None))


def _attachment_numbered_with_main(request: SigningRequest) -> None:
    """A separate attachment takes its main document's number, symbol and date (it is not a
    document of its own in the register: it takes no number there)."""
    if not request.is_attachment or request.main_request is None:
        return
    main = request.main_request.document
    Document.objects.filter(pk=request.document_id).update(
        number=main.number, symbol=main.symbol, issued_on=main.issued_on
    )


@transaction.atomic
def step_return(*, actor: User, assignee: StepAssignee, reason: str) -> SigningRequest:
    """Return the document to the clerk with a reason; the request stops here."""
    reason = nfc(reason)
    if not reason:
        raise ValidationError({"reason": gettext("Hãy ghi lý do trả lại.")})
    assignee = acting_assignee(actor, assignee)
    request = request_locked(assignee.step.request)
    assignee.status = AssigneeStatus.RETURNED
    assignee.acted_at, assignee.acted_by, assignee.reason = timezone.now(), actor, reason[:1000]
    assignee.save(update_fields=["status", "acted_at", "acted_by", "reason"])
    SigningStep.objects.filter(pk=assignee.step_id).update(status=StepStatus.RETURNED)
    request.status = RequestStatus.RETURNED
    request.return_reason = reason[:1000]
    request.save(update_fields=["status", "return_reason"])
    request_audit(
        actor,
        "step_returned",
        request,
        step=assignee.step.order,
        reason=reason,
        sha256=sent_version(request).blob.sha256,
    )
    message = f"Văn bản bị trả lại: {request.document}. Lý do: {reason}"
    notify([request.created_by], request, message)
    return request


@transaction.atomic
def step_delegate(
    *, actor: User, assignee: StepAssignee, to_user: User, reason: str = ""
) -> StepAssignee:
    """Hand one's place in a step to someone else, who signs in the same field."""
    assignee = acting_assignee(actor, assignee)
    if assignee.seal_body_id:
        raise ValidationError(gettext("Không ủy quyền được bước đóng dấu của cơ quan."))
    if to_user.pk == actor.pk or not to_user.is_active:
        raise ValidationError({"to_user": gettext("Hãy chọn một người khác để ủy quyền.")})
    if identity_for_user(to_user) is None:
        raise ValidationError(
            {"to_user": gettext("%(name)s chưa có chứng thư ký số.") % {"name": to_user}}
        )
    request = request_locked(assignee.step.request)
    assignee.status = AssigneeStatus.DELEGATED
    assignee.acted_at, assignee.acted_by = timezone.now(), actor
    assignee.delegated_to, assignee.reason = to_user, nfc(reason)[:1000]
    assignee.save(update_fields=["status", "acted_at", "acted_by", "delegated_to", "reason"])
    delegate = StepAssignee.objects.create(
        step=assignee.step,
        user=to_user,
        field_name=assignee.field_name,
        page=assignee.page,
        x=assignee.x,
        y=assignee.y,
        width=assignee.width,
        height=assignee.height,
    )
    request_audit(
        actor,
        "step_delegated",
        request,
        step=assignee.step.order,
        to_user=to_user.pk,
        reason=assignee.reason,
        sha256=sent_version(request).blob.sha256,
    )
    notify([to_user], request, f"{actor} ủy quyền cho bạn xử lý văn bản: {request.document}")
    return delegate
