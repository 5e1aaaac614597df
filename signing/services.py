"""Signing requests (trình ký): create, send, sign, return, delegate, number, seal — the
facade other apps import from.

Each signature is made outside any database transaction (a time-stamp or OCSP fetch may take
seconds, and must not hold the database's write lock), then stored in a short transaction that
locks the request row and checks that the version signed is still the document's latest. If a
parallel signer got there first, nothing is stored and the signer is asked to try again: a
signature is never lost and the version chain never forks.

Every step goes to the audit trail with the SHA-256 of the versions before and after it.

Creating, sending, viewing and cancelling a request are here; the rest lives in
``signing.requests`` along its seams and is re-exported here, so callers keep importing from
``signing.services``: ``base`` (reading and storing versions, the request row lock, the
latest-version check, audit), ``fields`` (where the fields go), ``steps`` (step transitions),
``signing`` (signing a step), ``notices`` (notices and e-mail), ``numbering`` (number and date
after signing).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Body, User, nfc
from documents.models import DocumentVersion
from documents.rendering import AdministrativeDocument, document_as_json
from documents.selectors import document_can_add_version, document_latest_version
from signing.models import (
    RequestReader,
    RequestStatus,
    SigningNotice,
    SigningRequest,
    SigningStep,
    StepAssignee,
    StepKind,
)
from signing.pades import appearances
from signing.pades.appearances import Placement
from signing.requests.base import (
    CHANGED,
    PDF_MIME,
    request_audit,
    request_locked,
    require_latest,
    version_read,
    version_store,
)
from signing.requests.fields import (
    DEFAULT_SIGNATURE_ASPECT,
    fields_plan,
    main_placement_for,
    rect_json,
)
from signing.requests.notices import notify
from signing.requests.numbering import request_number_assign
from signing.requests.reminders import request_deadline_set, requests_remind_due
from signing.requests.signing import SignPlan, step_sign, step_sign_plan, step_signature_store
from signing.requests.steps import step_activate, step_delegate, step_return
from signing.selectors import default_level_for, request_may_manage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AssigneeSpec:
    """A person (``user``) or a body's seal (``seal_body``, optionally with the clerk who
    applies it); ``placement`` or ``field_name`` (a signature field already in the PDF)."""

    user: User | None = None
    seal_body: Body | None = None
    placement: Placement | None = None
    field_name: str = ""


@dataclass(frozen=True)
class StepSpec:
    kind: str
    assignees: tuple[AssigneeSpec, ...]


def _check_steps(steps: list[StepSpec], *, is_attachment: bool) -> None:
    kinds = [spec.kind for spec in steps]
    if not steps or any(not spec.assignees for spec in steps):
        raise ValidationError(gettext("Mỗi bước ký phải có ít nhất một người xử lý."))
    if is_attachment:
        if kinds != [StepKind.SEAL]:
            raise ValidationError(
                gettext("Phụ lục tách tệp chỉ có một bước: cơ quan ký (đóng dấu).")
            )
        return
    if StepKind.MAIN not in kinds:
        raise ValidationError(gettext("Phải có bước ký của người có thẩm quyền."))
    order: dict[str, int] = {StepKind.INITIAL: 0, StepKind.MAIN: 1, StepKind.SEAL: 2}
    if [order[k] for k in kinds] != sorted(order[k] for k in kinds):
        # Decree 30 Art. 32.2(d): the seal goes on only after the competent person has signed.
        raise ValidationError(
            gettext("Thứ tự bước không hợp lệ: ký nháy, rồi ký chính, rồi đóng dấu.")
        )
    for spec in steps:
        for assignee in spec.assignees:
            if spec.kind == StepKind.SEAL and assignee.seal_body is None:
                raise ValidationError(gettext("Bước đóng dấu phải chọn con dấu của cơ quan."))
            if spec.kind != StepKind.SEAL and assignee.user is None:
                raise ValidationError(gettext("Bước ký nháy và ký chính phải chọn người ký."))


def _check_main_request(
    actor: User, main_request: SigningRequest | None, *, is_attachment: bool
) -> None:
    """An attachment needs the request of its main document: a document that is not itself an
    attachment, whose request still runs or has completed, and that the clerk manages."""
    if not is_attachment:
        return
    if main_request is None:
        raise ValidationError(
            {"main_request": gettext("Hãy chọn văn bản chính mà phụ lục này kèm theo.")}
        )
    if main_request.is_attachment or main_request.status in (
        RequestStatus.CANCELLED,
        RequestStatus.RETURNED,
    ):
        raise ValidationError(
            {"main_request": gettext("Văn bản chính phải là một yêu cầu trình ký còn hiệu lực.")}
        )
    if not request_may_manage(actor, main_request):
        raise PermissionDenied(gettext("Bạn không quản lý yêu cầu trình ký của văn bản chính."))


@transaction.atomic
def request_create(
    *,
    actor: User,
    version: DocumentVersion,
    steps: list[StepSpec],
    readers: tuple[User, ...] = (),
    level: str | None = None,
    title: str = "",
    is_attachment: bool = False,
    number_placement: Placement | None = None,
    date_placement: Placement | None = None,
    deadline: dt.datetime | None = None,
    main_request: SigningRequest | None = None,
    rendered_from: AdministrativeDocument | None = None,
) -> SigningRequest:
    """A draft request for *version* (a PDF, the document's latest) along *steps*; with a
    *deadline* (hạn xử lý, in the future) its open signers are reminded on the schedule. An
    attachment in its own file names the *main_request* of its main document. A document
    KyHop laid out passes what it was laid out from (*rendered_from*, whose signer
    ``field_id`` are the main signers' field names), so a delegation can re-print its signer
    block for the delegate."""
    document = version.document
    if not document_can_add_version(actor, document):
        raise PermissionDenied(gettext("Bạn không có quyền trình ký văn bản này."))
    if version.blob.mime != PDF_MIME:
        raise ValidationError(gettext("Chỉ trình ký được phiên bản PDF."))
    latest = document_latest_version(document)
    if latest is None or latest.pk != version.pk:
        raise ValidationError(gettext("Chỉ trình ký được phiên bản mới nhất của văn bản."))
    _check_steps(steps, is_attachment=is_attachment)
    _check_main_request(actor, main_request, is_attachment=is_attachment)
    for placed in (number_placement, date_placement):
        if placed is not None and not 0 <= placed.page < (version.blob.page_count or 1):
            raise ValidationError(gettext("Ô số hoặc ô ngày nằm ở trang không có trong văn bản."))
    if deadline is not None and deadline <= timezone.now():
        raise ValidationError(
            {"deadline": gettext("Hạn xử lý phải là một thời điểm sau hiện tại.")}
        )
    body = document.issuing_body or document.owning_body
    request = SigningRequest(
        document=document,
        source_version=version,
        body=body,
        title=nfc(title),
        level=level or default_level_for(body),
        is_attachment=is_attachment,
        main_request=main_request if is_attachment else None,
        number_field_rect=rect_json(number_placement),
        date_field_rect=rect_json(date_placement),
        created_by=actor,
        deadline=deadline,
        rendered_from=document_as_json(rendered_from) if rendered_from else None,
    )
    request.full_clean()
    request.save()
    for order, spec in enumerate(steps, start=1):
        _step_create(request, order, spec)
    for reader in readers:
        RequestReader.objects.get_or_create(request=request, user=reader)
    request_audit(
        actor,
        "request_created",
        request,
        sha256=version.blob.sha256,
        level=request.level,
        deadline=deadline.isoformat() if deadline else None,
    )
    return request


def _step_create(request: SigningRequest, order: int, spec: StepSpec) -> None:
    step = SigningStep.objects.create(request=request, order=order, kind=spec.kind)
    prefix: dict[str, str] = {
        StepKind.INITIAL: "ky_nhay",
        StepKind.MAIN: "ky_chinh",
        StepKind.SEAL: "dong_dau",
    }
    for index, assignee in enumerate(spec.assignees, start=1):
        placement = assignee.placement
        row = StepAssignee(
            step=step,
            user=assignee.user,
            seal_body=assignee.seal_body,
            field_name=assignee.field_name or f"{prefix[spec.kind]}_{order}_{index}",
            page=placement.page if placement else None,
            x=placement.x if placement else None,
            y=placement.y if placement else None,
            width=placement.width if placement else None,
            height=placement.height if placement else None,
        )
        row.full_clean()
        row.save()


@transaction.atomic
def request_send(*, actor: User, request: SigningRequest) -> SigningRequest:
    """Prepare the document (signature and numbering fields, as one new version) and start
    the first step. The prepared fields exist before any signature, so no signature is ever
    disturbed by adding them."""
    request = request_locked(request)
    if not request_may_manage(actor, request):
        raise PermissionDenied(gettext("Chỉ người trình mới gửi được yêu cầu này."))
    if request.status != RequestStatus.DRAFT:
        raise ValidationError(gettext("Yêu cầu này đã được gửi."))
    require_latest(request, request.source_version)
    data = version_read(request.source_version)
    prepared = fields_plan(request, data)
    try:
        prepared_pdf = appearances.fields_prepare(
            data=data, signature_fields=prepared.plans, text_fields=prepared.text_fields
        )
    except Exception as exc:  # pyHanko raises many types for unusual files; the user needs one
        logger.warning("Không chuẩn bị được ô ký cho văn bản %s: %s", request.document_id, exc)
        raise ValidationError(
            gettext(
                "Không chuẩn bị được ô chữ ký trên tệp PDF này (tệp hỏng hoặc không cho phép "
                "cập nhật gia tăng)."
            )
        ) from exc
    # The version note is the document's history, read by everyone: it stays Vietnamese.
    version = version_store(
        actor=actor, request=request, data=prepared_pdf, note="Chuẩn bị trình ký"
    )
    request.current_version = version
    request.status = RequestStatus.IN_PROGRESS
    request.sent_at = timezone.now()
    # Record where the numbering fields went; none means this document is numbered in the
    # metadata only (e.g. a scan without a "Số:" line).
    request.number_field_rect = rect_json(prepared.text_fields.get(appearances.NUMBER_FIELD))
    request.date_field_rect = rect_json(prepared.text_fields.get(appearances.DATE_FIELD))
    request.save()
    first = request.steps.order_by("order").first()
    step_activate(first)
    request_audit(
        actor,
        "request_sent",
        request,
        source_sha256=request.source_version.blob.sha256,
        prepared_sha256=version.blob.sha256,
        version=version.number,
    )
    notify(
        [r.user for r in request.readers.select_related("user")],
        request,
        f"Văn bản được trình ký (để biết): {request.document}",
    )
    return request


@transaction.atomic
def request_viewed(*, actor: User, request: SigningRequest) -> None:
    """An assignee opened the request (item 10: "viewed" is a step of the trail too)."""
    version = request.current_version or request.source_version
    request_audit(actor, "request_viewed", request, sha256=version.blob.sha256)
    SigningNotice.objects.filter(user=actor, request=request, read_at=None).update(
        read_at=timezone.now()
    )


@transaction.atomic
def request_cancel(*, actor: User, request: SigningRequest) -> SigningRequest:
    request = request_locked(request)
    if not request_may_manage(actor, request):
        raise PermissionDenied(gettext("Chỉ người trình mới hủy được yêu cầu này."))
    if request.status in (RequestStatus.COMPLETED, RequestStatus.CANCELLED):
        raise ValidationError(gettext("Yêu cầu này đã kết thúc."))
    request.status = RequestStatus.CANCELLED
    request.save(update_fields=["status"])
    request_audit(actor, "request_cancelled", request)
    return request


__all__ = [
    "CHANGED",
    "DEFAULT_SIGNATURE_ASPECT",
    "PDF_MIME",
    "AssigneeSpec",
    "SignPlan",
    "StepSpec",
    "main_placement_for",
    "request_cancel",
    "request_create",
    "request_deadline_set",
    "request_number_assign",
    "request_send",
    "request_viewed",
    "requests_remind_due",
    "step_delegate",
    "step_return",
    "step_sign",
    "step_sign_plan",
    "step_signature_store",
]
