"""Step transitions of a signing request: activate the next step, advance after a
signature, return to the clerk, delegate to someone else.
"""

from __future__ import annotations

import dataclasses

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User, nfc
from documents.models import Document, DocumentStatus
from documents.rendering import AdministrativeDocument, RenderedDocument, document_as_json
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
from signing.pades import appearances
from signing.pades.appearances import Placement
from signing.requests import delegation
from signing.requests.base import (
    CHANGED,
    acting_assignee,
    request_audit,
    request_locked,
    require_latest,
    sent_version,
    version_store,
)
from signing.requests.fields import fields_plan, main_placement_for
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


def _delegation_checked(actor: User, assignee: StepAssignee, to_user: User) -> StepAssignee:
    assignee = acting_assignee(actor, assignee)
    if assignee.seal_body_id:
        raise ValidationError(gettext("Không ủy quyền được bước đóng dấu của cơ quan."))
    if to_user.pk == actor.pk or not to_user.is_active:
        raise ValidationError({"to_user": gettext("Hãy chọn một người khác để ủy quyền.")})
    if identity_for_user(to_user) is None:
        raise ValidationError(
            {"to_user": gettext("%(name)s chưa có chứng thư ký số.") % {"name": to_user}}
        )
    return assignee


def step_delegation_outlook(
    *, actor: User, assignee: StepAssignee, to_user: User
) -> delegation.DelegationOutlook:
    """What ``step_delegate`` would do, for the page the delegator confirms on: the new signer
    blocks, or the refusal it would give (a PermissionDenied still stops the caller)."""
    try:
        assignee = _delegation_checked(actor, assignee, to_user)
    except ValidationError as refused:
        return delegation.DelegationOutlook(refusal=" ".join(refused.messages))
    return delegation.delegation_outlook(assignee, to_user)


def step_delegate(
    *,
    actor: User,
    assignee: StepAssignee,
    to_user: User,
    reason: str = "",
    signs_as: str = "",
) -> StepAssignee:
    """Hand one's place in a step to someone else (see signing.requests.delegation).

    A main signature on a document KyHop laid out is re-printed for the delegate (*signs_as*:
    KT., TL. or TUQ., among those the outlook allows) as a new version, before they can sign;
    initials go to the same field. The layout takes a second or more, so it is made before the
    request row is locked, and the lock then checks that nothing moved meanwhile.
    """
    assignee = _delegation_checked(actor, assignee, to_user)
    outlook = delegation.delegation_outlook(assignee, to_user)
    if outlook.refusal:
        raise ValidationError(outlook.refusal, code="delegation_refused")
    layout = None
    if outlook.reprints:
        block = outlook.blocks.get(signs_as or outlook.default)
        if block is None:
            raise ValidationError(
                {"signs_as": gettext("Hình thức ký này không áp dụng cho người được chọn.")}
            )
        layout = delegation.delegated_layout(assignee, block)
        signs_as = signs_as or outlook.default
    else:
        signs_as = ""
    return _delegation_commit(
        actor=actor,
        assignee=assignee,
        to_user=to_user,
        reason=reason,
        signs_as=signs_as,
        layout=layout,
        seen_version_id=assignee.step.request.current_version_id,
    )


@transaction.atomic
def _delegation_commit(
    *,
    actor: User,
    assignee: StepAssignee,
    to_user: User,
    reason: str,
    signs_as: str,
    layout: tuple[AdministrativeDocument, RenderedDocument] | None,
    seen_version_id: int | None,
) -> StepAssignee:
    request = request_locked(assignee.step.request)
    # Under the lock: the same version as when the layout was made, the step still open and
    # still nobody's signature on the document (a parallel signer may have got there first).
    base = require_latest(request, request.current_version)
    if base.pk != seen_version_id:
        raise ValidationError(gettext(CHANGED), code="document_changed")
    assignee = acting_assignee(actor, assignee)
    if layout is not None and delegation.someone_signed(assignee):
        raise ValidationError(gettext(CHANGED), code="document_changed")
    assignee.status = AssigneeStatus.DELEGATED
    assignee.acted_at, assignee.acted_by = timezone.now(), actor
    assignee.delegated_to, assignee.reason = to_user, nfc(reason)[:1000]
    assignee.save(update_fields=["status", "acted_at", "acted_by", "delegated_to", "reason"])
    area = _assignee_area(assignee)
    if layout is not None:
        area = dataclasses.asdict(delegation.area_of(layout[1], assignee.field_name))
    delegate = StepAssignee.objects.create(
        step=assignee.step,
        user=to_user,
        field_name=assignee.field_name,
        delegated_from=assignee,
        signs_as=signs_as,
        **area,
    )
    details: dict[str, object] = {}
    if layout is not None:
        details = _relaid_version(actor, request, assignee, area, layout)
    request_audit(
        actor,
        "step_delegated",
        request,
        step=assignee.step.order,
        to_user=to_user.pk,
        to_name=to_user.full_name,
        from_name=assignee.user.full_name if assignee.user else "",
        signs_as=signs_as,
        reason=assignee.reason,
        sha256=sent_version(request).blob.sha256,
        **details,
    )
    how = delegation.signs_as_text(signs_as, assignee.user or actor)
    notify([to_user], request, f"Có văn bản chờ bạn xử lý ({how}): {request.document}")
    return delegate


def _assignee_area(assignee: StepAssignee) -> dict[str, float | int | None]:
    names = ("page", "x", "y", "width", "height")
    return {name: getattr(assignee, name) for name in names}


def _relaid_version(
    actor: User,
    request: SigningRequest,
    original: StepAssignee,
    area: dict[str, float | int | None],
    layout: tuple[AdministrativeDocument, RenderedDocument],
) -> dict[str, object]:
    """Issue the re-printed document as the request's next version, its fields prepared as
    sending prepared them (the delegate's in the new block's signature area)."""
    document, rendered = layout
    before = sent_version(request)
    _seals_follow(request, original, area)
    prepared = fields_plan(request, rendered.pdf)
    data = appearances.fields_prepare(
        data=rendered.pdf, signature_fields=prepared.plans, text_fields=prepared.text_fields
    )
    # The version note is the document's history, read by everyone: it stays Vietnamese.
    version = version_store(
        actor=actor, request=request, data=data, note="In lại khối chữ ký cho người ký thay"
    )
    request.current_version = version
    request.rendered_from = document_as_json(document)
    request.save(update_fields=["current_version", "rendered_from"])
    block = next(s for s in document.signers if s.field_id == original.field_name)
    return {
        "block": [*block.authority, block.position, block.full_name],
        "before_sha256": before.blob.sha256,
        "after_sha256": version.blob.sha256,
        "version": version.number,
    }


def _seals_follow(
    request: SigningRequest, original: StepAssignee, area: dict[str, float | int | None]
) -> None:
    """A seal placed over the original signature moves to the delegate's, over the left third
    of their image as sending would have put it (Decree 30, Appendix I)."""
    if not original.has_placement:
        return  # the seal was placed from the signature itself, and will be again
    old = Placement(original.page, original.x, original.y, original.width, original.height)  # type: ignore[arg-type]
    new = Placement(**area)  # type: ignore[arg-type]
    delegate = StepAssignee(user=original.delegated_to)
    image = main_placement_for(delegate, new, fill=0.9)
    seals = StepAssignee.objects.filter(step__request=request, seal_body__isnull=False)
    for seal in seals.exclude(x=None):
        if seal.page != old.page or not _overlap(seal, old):
            continue
        moved = appearances.seal_placement(main=image)
        seal.page, seal.x, seal.y = moved.page, moved.x, moved.y
        seal.width, seal.height = moved.width, moved.height
        seal.save(update_fields=["page", "x", "y", "width", "height"])


def _overlap(seal: StepAssignee, area: Placement) -> bool:
    x, y = float(seal.x or 0), float(seal.y or 0)
    right, top = x + float(seal.width or 0), y + float(seal.height or 0)
    return x < area.x + area.width and area.x < right and y < area.y + area.height and area.y < top
