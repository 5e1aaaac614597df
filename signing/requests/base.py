"""What the signing-request services share: reading and storing versions, the request row
lock, the "still the latest version" check, audit entries and who may act on a step.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext, gettext_noop

from accounts.models import User
from audit.services import audit_record
from documents import services as document_services
from documents.models import Document, DocumentVersion
from documents.selectors import document_latest_version
from documents.storage import blob_open
from signing.models import (
    AssigneeStatus,
    RequestStatus,
    SigningRequest,
    StepAssignee,
    StepStatus,
)
from signing.selectors import assignee_may_act

# The Vietnamese text (what tests and callers compare with); translated when raised.
CHANGED = gettext_noop("Văn bản đã thay đổi, vui lòng thử lại.")


PDF_MIME = "application/pdf"


def version_read(version: DocumentVersion) -> bytes:
    with blob_open(version.blob.storage_name) as handle:
        return handle.read()


def version_store(
    *, actor: User, request: SigningRequest, data: bytes, note: str
) -> DocumentVersion:
    """A new version holding *data*, numbered after the latest, with the document row locked.

    The right to store comes from the signing step (a leader of another body may sign), not
    from membership of the owning body: the callers have checked the step and the version.
    """
    document = Document.objects.select_for_update().get(pk=request.document_id)
    return document_services.document_version_store_signed(
        actor=actor, document=document, data=data, note=note
    )


def request_audit(
    actor: User | None, verb: str, request: SigningRequest, **details: object
) -> None:
    audit_record(
        actor=actor,
        verb=f"signing.{verb}",
        target=request,
        details={"document": request.document_id, **details},
    )


def request_locked(request: SigningRequest) -> SigningRequest:
    return (
        SigningRequest.objects.select_for_update(of=("self",))
        .select_related("document")
        .get(pk=request.pk)
    )


def require_latest(request: SigningRequest, version: DocumentVersion | None) -> DocumentVersion:
    """*version*, if it is still the document's latest and the one *request* is at; a "document
    changed" refusal otherwise."""
    latest = document_latest_version(request.document)
    if version is None or latest is None or latest.pk != version.pk:
        raise ValidationError(gettext(CHANGED), code="document_changed")
    if request.current_version_id not in (None, version.pk):
        raise ValidationError(gettext(CHANGED), code="document_changed")
    return version


def sent_version(request: SigningRequest) -> DocumentVersion:
    """The version a sent request is at: sending sets it, and nothing clears it."""
    version = request.current_version
    assert version is not None  # the request was sent
    return version


def acting_assignee(actor: User, assignee: StepAssignee) -> StepAssignee:
    """The assignee row, re-read, if *actor* may act on it now; a refusal otherwise."""
    assignee = StepAssignee.objects.select_related(
        "step__request__document", "user", "seal_body"
    ).get(pk=assignee.pk)
    if not assignee_may_act(actor, assignee):
        raise PermissionDenied(gettext("Bạn không phải người xử lý bước này."))
    request = assignee.step.request
    if request.status != RequestStatus.IN_PROGRESS or assignee.step.status != StepStatus.ACTIVE:
        raise ValidationError(gettext("Bước ký này chưa đến lượt hoặc đã kết thúc."))
    if assignee.status != AssigneeStatus.WAITING:
        raise ValidationError(gettext("Bạn đã xử lý bước này rồi."))
    return assignee
