"""Numbering after the competent person has signed (Decree 30 Art. 15.3): the number comes
from the body's outgoing register, and the number and date fill the prepared fields, a change
the signature permits (form filling). A request without a seal step waits for this after the
main signature and completes with it.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from documents.models import Document, DocumentVersion
from documents.register.services import register_number_take
from documents.rendering import vietnamese_date_line
from signing.models import AssigneeStatus, SigningRequest, StepAssignee, StepKind
from signing.pades import appearances
from signing.pades.appearances import FieldValue, Placement
from signing.pades.fieldcheck import field_reads
from signing.requests.base import (
    request_audit,
    request_locked,
    require_latest,
    version_read,
    version_store,
)
from signing.requests.steps import request_complete_if_done
from signing.selectors import request_may_manage, request_number_refusal


@transaction.atomic
def request_number_assign(
    *, actor: User, request: SigningRequest, issued_on: date
) -> DocumentVersion | None:
    """Give the document the next number of its outgoing register and its date, filling the
    prepared fields: an incremental update the competent person's signature permits (form
    filling). Returns the new version, or None for a document numbered in its metadata only.
    Everything happens in one transaction: a failure leaves the register's number untaken."""
    request = request_locked(request)
    if not request_may_manage(actor, request):
        raise PermissionDenied(gettext("Chỉ văn thư trình ký mới cấp số cho văn bản này."))
    refusal = request_number_refusal(request)
    if refusal is not None:
        raise ValidationError(gettext(refusal))
    base = require_latest(request, request.current_version)
    document = Document.objects.select_for_update().get(pk=request.document_id)
    entry = register_number_take(
        actor=actor, document=document, issued_on=issued_on, signer_name=_main_signer(request)
    )
    version = None
    if request.number_field_rect or request.date_field_rect:
        # What goes into the document (number, date line) and its version note stay Vietnamese.
        place = request.body.place_name
        values = {
            appearances.NUMBER_FIELD: FieldValue(
                document.number_symbol, f"Số: {document.number_symbol}"
            ),
            appearances.DATE_FIELD: FieldValue(
                issued_on.isoformat(),
                vietnamese_date_line(place, issued_on),
                appearances.SERIF_ITALIC,
            ),
        }
        filled = appearances.text_fields_fill(data=version_read(base), values=values)
        _check_fields_read(request, filled, values)
        version = version_store(
            actor=actor, request=request, data=filled, note="Cấp số, ngày văn bản"
        )
        request.current_version = version
    request.numbered_at = timezone.now()
    request.save(update_fields=["current_version", "numbered_at"])
    request_audit(
        actor,
        "request_numbered",
        request,
        number_symbol=document.number_symbol,
        register_number=entry.number,
        issued_on=issued_on,
        before_sha256=base.blob.sha256,
        after_sha256=(version or base).blob.sha256,
    )
    request_complete_if_done(actor, request)
    return version


def _check_fields_read(
    request: SigningRequest, filled: bytes, values: dict[str, FieldValue]
) -> None:
    """Refuse a number that would print garbled: the filled fields are read back from the PDF
    (see signing.pades.fieldcheck); nothing is saved when they do not read cleanly."""
    rects = {
        appearances.NUMBER_FIELD: request.number_field_rect,
        appearances.DATE_FIELD: request.date_field_rect,
    }
    for name, rect in rects.items():
        if not rect:
            continue
        page, x, y, width, height = rect
        # The field's /Rect is the placement rounded outwards (Placement.box).
        x1, y1, x2, y2 = Placement(int(page), x, y, width, height).box
        area = Placement.from_rect(int(page), (x1, y1, x2, y2))
        value = values[name]
        if not field_reads(filled, area, shown=value.shown, font=value.font):
            raise ValidationError(
                gettext(
                    "Số hoặc ngày văn bản không hiện rõ tại ô đã chuẩn bị (chữ của dự thảo còn "
                    "lộ ra hoặc ô quá hẹp). Chưa cấp số; hãy trả lại để sửa dự thảo rồi trình lại."
                )
            )


def _main_signer(request: SigningRequest) -> str:
    signed = (
        StepAssignee.objects.filter(
            step__request=request, step__kind=StepKind.MAIN, status=AssigneeStatus.SIGNED
        )
        .select_related("acted_by")
        .first()
    )
    return signed.acted_by.get_full_name() if signed and signed.acted_by else ""
