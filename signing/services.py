"""Signing requests (trình ký): create, send, sign, return, delegate, number, seal.

Each signature is made outside any database transaction (a time-stamp or OCSP fetch may take
seconds, and must not hold the database's write lock), then stored in a short transaction that
locks the request row and checks that the version signed is still the document's latest. If a
parallel signer got there first, nothing is stored and the signer is asked to try again: a
signature is never lost and the version chain never forks (issue 5, item 9).

Every step goes to the audit trail with the SHA-256 of the versions before and after it.
"""

from __future__ import annotations

import asyncio
import io
import logging
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pypdf import PdfReader

from accounts.models import Body, User, nfc
from audit.services import audit_record
from documents import services as document_services
from documents.models import Document, DocumentStatus, DocumentVersion
from documents.rendering import vietnamese_date_line
from documents.selectors import document_can_add_version, document_latest_version
from documents.storage import blob_open
from signing import appearances
from signing.appearances import FieldValue, Placement, SigFieldPlan
from signing.identities import identity_for_body, identity_for_user, identity_signing
from signing.models import (
    AssigneeStatus,
    BodySigningSettings,
    PadesLevelChoice,
    RequestReader,
    RequestStatus,
    SigningIdentity,
    SigningNotice,
    SigningRequest,
    SigningStep,
    StepAssignee,
    StepKind,
    StepStatus,
)
from signing.pades import TIME_FORMAT, PadesLevel, SignOptions, async_sign_pdf_bytes
from signing.selectors import assignee_may_act, request_may_manage

logger = logging.getLogger(__name__)

CHANGED = "Văn bản đã thay đổi, vui lòng thử lại."
PDF_MIME = "application/pdf"
DEFAULT_SIGNATURE_ASPECT = (600, 240)  # when the signer has no image yet
MM = appearances.MM


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


@dataclass(frozen=True)
class _Prepared:
    plans: list[SigFieldPlan] = field(default_factory=list)
    text_fields: dict[str, Placement] = field(default_factory=dict)


# --- Helpers ----------------------------------------------------------------------------------


def _read(version: DocumentVersion) -> bytes:
    with blob_open(version.blob.storage_name) as handle:
        return handle.read()


def _store(*, actor: User, request: SigningRequest, data: bytes, note: str) -> DocumentVersion:
    """A new version holding *data*, numbered after the latest, with the document row locked.

    The right to store comes from the signing step (a leader of another body may sign), not
    from membership of the owning body: the callers have checked the step and the version.
    """
    document = Document.objects.select_for_update().get(pk=request.document_id)
    return document_services.document_version_store_signed(
        actor=actor, document=document, data=data, note=note
    )


def _audit(actor: User | None, verb: str, request: SigningRequest, **details: object) -> None:
    audit_record(
        actor=actor,
        verb=f"signing.{verb}",
        target=request,
        details={"document": request.document_id, **details},
    )


def _notify(users: list[User], request: SigningRequest, message: str) -> None:
    """On screen now, by e-mail once the transaction has committed (never for a rollback)."""
    message = nfc(message)[:500]
    recipients = {user.pk: user for user in users if user is not None}
    SigningNotice.objects.bulk_create(
        SigningNotice(user=user, request=request, message=message) for user in recipients.values()
    )
    emails = [user.email for user in recipients.values() if user.email]
    if emails:
        subject = f"[KyHop] {message}"[:200]
        body = f"{message}\n\nVăn bản: {request.document}\n"
        transaction.on_commit(
            lambda: send_mail(
                subject, body, settings.DEFAULT_FROM_EMAIL, emails, fail_silently=True
            )
        )


def _locked(request: SigningRequest) -> SigningRequest:
    return (
        SigningRequest.objects.select_for_update(of=("self",))
        .select_related("document")
        .get(pk=request.pk)
    )


def _require_latest(request: SigningRequest, version: DocumentVersion | None) -> None:
    latest = document_latest_version(request.document)
    if version is None or latest is None or latest.pk != version.pk:
        raise ValidationError(CHANGED, code="document_changed")
    if request.current_version_id not in (None, version.pk):
        raise ValidationError(CHANGED, code="document_changed")


def _level_for(body: Body) -> str:
    settings_row = BodySigningSettings.objects.filter(body=body).first()
    return settings_row.pades_level if settings_row else PadesLevelChoice.B_LTA


# --- Creating and sending ---------------------------------------------------------------------


def _check_steps(steps: list[StepSpec], *, is_attachment: bool) -> None:
    kinds = [spec.kind for spec in steps]
    if not steps or any(not spec.assignees for spec in steps):
        raise ValidationError("Mỗi bước ký phải có ít nhất một người xử lý.")
    if is_attachment:
        if kinds != [StepKind.SEAL]:
            raise ValidationError("Phụ lục tách tệp chỉ có một bước: cơ quan ký (đóng dấu).")
        return
    if StepKind.MAIN not in kinds:
        raise ValidationError("Phải có bước ký của người có thẩm quyền.")
    order = {StepKind.INITIAL: 0, StepKind.MAIN: 1, StepKind.SEAL: 2}
    if [order[k] for k in kinds] != sorted(order[k] for k in kinds):
        # Decree 30 Art. 32.2(d): the seal goes on only after the competent person has signed.
        raise ValidationError("Thứ tự bước không hợp lệ: ký nháy, rồi ký chính, rồi đóng dấu.")
    for spec in steps:
        for assignee in spec.assignees:
            if spec.kind == StepKind.SEAL and assignee.seal_body is None:
                raise ValidationError("Bước đóng dấu phải chọn con dấu của cơ quan.")
            if spec.kind != StepKind.SEAL and assignee.user is None:
                raise ValidationError("Bước ký nháy và ký chính phải chọn người ký.")


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
) -> SigningRequest:
    """A draft request for *version* (a PDF, the document's latest) along *steps*."""
    document = version.document
    if not document_can_add_version(actor, document):
        raise PermissionDenied("Bạn không có quyền trình ký văn bản này.")
    if version.blob.mime != PDF_MIME:
        raise ValidationError("Chỉ trình ký được phiên bản PDF.")
    latest = document_latest_version(document)
    if latest is None or latest.pk != version.pk:
        raise ValidationError("Chỉ trình ký được phiên bản mới nhất của văn bản.")
    _check_steps(steps, is_attachment=is_attachment)
    body = document.issuing_body or document.owning_body
    request = SigningRequest(
        document=document,
        source_version=version,
        body=body,
        title=nfc(title),
        level=level or _level_for(body),
        is_attachment=is_attachment,
        number_field_rect=_rect_json(number_placement),
        date_field_rect=_rect_json(date_placement),
        created_by=actor,
    )
    request.full_clean()
    request.save()
    for order, spec in enumerate(steps, start=1):
        _step_create(request, order, spec)
    for reader in readers:
        RequestReader.objects.get_or_create(request=request, user=reader)
    _audit(actor, "request_created", request, sha256=version.blob.sha256, level=request.level)
    return request


def _rect_json(placement: Placement | None) -> list[float] | None:
    if placement is None:
        return None
    return [placement.page, placement.x, placement.y, placement.width, placement.height]


def _rect_from_json(value: list[float] | None) -> Placement | None:
    if not value:
        return None
    page, x, y, width, height = value
    return Placement(int(page), x, y, width, height)


def _step_create(request: SigningRequest, order: int, spec: StepSpec) -> None:
    step = SigningStep.objects.create(request=request, order=order, kind=spec.kind)
    prefix = {StepKind.INITIAL: "ky_nhay", StepKind.MAIN: "ky_chinh", StepKind.SEAL: "dong_dau"}
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
    request = _locked(request)
    if not request_may_manage(actor, request):
        raise PermissionDenied("Chỉ người trình mới gửi được yêu cầu này.")
    if request.status != RequestStatus.DRAFT:
        raise ValidationError("Yêu cầu này đã được gửi.")
    _require_latest(request, request.source_version)
    data = _read(request.source_version)
    prepared = _plan_fields(request, data)
    try:
        prepared_pdf = appearances.fields_prepare(
            data=data, signature_fields=prepared.plans, text_fields=prepared.text_fields
        )
    except Exception as exc:  # pyHanko raises many types for unusual files; the user needs one
        logger.warning("Không chuẩn bị được ô ký cho văn bản %s: %s", request.document_id, exc)
        raise ValidationError(
            "Không chuẩn bị được ô chữ ký trên tệp PDF này (tệp hỏng hoặc không cho phép cập "
            "nhật gia tăng)."
        ) from exc
    version = _store(actor=actor, request=request, data=prepared_pdf, note="Chuẩn bị trình ký")
    request.current_version = version
    request.status = RequestStatus.IN_PROGRESS
    request.sent_at = timezone.now()
    # Record where the numbering fields went; none means this document is numbered in the
    # metadata only (e.g. a scan without a "Số:" line).
    request.number_field_rect = _rect_json(prepared.text_fields.get(appearances.NUMBER_FIELD))
    request.date_field_rect = _rect_json(prepared.text_fields.get(appearances.DATE_FIELD))
    request.save()
    first = request.steps.order_by("order").first()
    _step_activate(first)
    _audit(
        actor,
        "request_sent",
        request,
        source_sha256=request.source_version.blob.sha256,
        prepared_sha256=version.blob.sha256,
        version=version.number,
    )
    _notify(
        [r.user for r in request.readers.select_related("user")],
        request,
        f"Văn bản được trình ký (để biết): {request.document}",
    )
    return request


def _page_sizes(data: bytes) -> list[tuple[float, float]]:
    reader = PdfReader(io.BytesIO(data), strict=False)
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


def _existing_field_rects(data: bytes) -> dict[str, Placement]:
    """Empty signature fields already in the PDF (e.g. from another tool), by name."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    count = int(reader.root["/Pages"]["/Count"])
    pages = {reader.find_page_for_modification(i)[0].reference: i for i in range(count)}
    found: dict[str, Placement] = {}
    for name, value, ref in fields.enumerate_sig_fields(reader):
        widget = ref.get_object()
        if value is not None or "/Rect" not in widget:
            continue
        page_ref = widget.raw_get("/P") if "/P" in widget else None
        page = pages.get(page_ref.reference, 0) if page_ref is not None else 0
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
        found[name] = Placement.from_rect(page, (x1, y1, x2, y2))
    return found


def _default_main_area(sizes: list[tuple[float, float]]) -> Placement:
    """Bottom right of the last page, where a signer block usually sits."""
    width, _height = sizes[-1]
    return Placement(len(sizes) - 1, width - 20 * MM - 75 * MM, 40 * MM, 75 * MM, 30 * MM)


def _image_size(identity: SigningIdentity | None) -> tuple[int, int]:
    if identity is None or not identity.signature_image:
        return DEFAULT_SIGNATURE_ASPECT
    image = appearances.signature_image_check(bytes(identity.signature_image))
    return image.size


def _plan_fields(request: SigningRequest, data: bytes) -> _Prepared:
    """Where each signature field and the numbering fields go (see signing.appearances)."""
    sizes = _page_sizes(data)
    existing = _existing_field_rects(data)
    steps = list(request.steps.order_by("order").prefetch_related("assignees"))
    text_fields = _numbering_rects(request, data)
    main_area = _main_area_hint(steps, existing, sizes)
    main_image: Placement | None = None
    plans: list[SigFieldPlan] = []
    initials = 0
    for step in steps:
        # After this step signs, its own and later fields and the numbering stay fillable.
        later = [a.field_name for s in steps if s.order >= step.order for a in s.assignees.all()]
        unlocked = (*later, *text_fields)
        for assignee in step.assignees.all():
            chosen = _assignee_placement(assignee)
            if step.kind == StepKind.MAIN:
                in_pdf = existing.get(assignee.field_name)
                area = chosen or in_pdf or _default_main_area(sizes)
                # A field made by another tool keeps its rectangle; ours hugs the image.
                placement = main_placement_for(assignee, area, fill=1.0 if in_pdf else 0.9)
                main_image = main_image or placement
            elif step.kind == StepKind.INITIAL:
                placement = chosen or appearances.initial_placement(
                    beside=main_area, index=initials
                )
                initials += 1
            else:
                placement = chosen or _seal_default(request, main_image, sizes)
            plans.append(SigFieldPlan(assignee.field_name, placement, unlocked))
    return _Prepared(plans=plans, text_fields=text_fields)


def _seal_default(
    request: SigningRequest, main_image: Placement | None, sizes: list[tuple[float, float]]
) -> Placement | None:
    if request.is_attachment:
        width, height = sizes[0]
        return appearances.attachment_placement(page_width=width, page_height=height)
    return appearances.seal_placement(main=main_image) if main_image else None


def main_placement_for(assignee: StepAssignee, area: Placement, *, fill: float) -> Placement:
    identity = identity_for_user(assignee.user) if assignee.user else None
    return appearances.main_placement(area=area, image_size=_image_size(identity), fill=fill)


def _assignee_placement(assignee: StepAssignee) -> Placement | None:
    if not assignee.has_placement:
        return None
    return Placement(assignee.page, assignee.x, assignee.y, assignee.width, assignee.height)  # type: ignore[arg-type]


def _main_area_hint(
    steps: list[SigningStep], existing: dict[str, Placement], sizes: list[tuple[float, float]]
) -> Placement:
    for step in steps:
        if step.kind == StepKind.MAIN:
            for assignee in step.assignees.all():
                return (
                    _assignee_placement(assignee)
                    or existing.get(assignee.field_name)
                    or _default_main_area(sizes)
                )
    return _default_main_area(sizes)


def _numbering_rects(request: SigningRequest, data: bytes) -> dict[str, Placement]:
    if request.is_attachment:
        return {}
    chosen = {
        appearances.NUMBER_FIELD: _rect_from_json(request.number_field_rect),
        appearances.DATE_FIELD: _rect_from_json(request.date_field_rect),
    }
    if all(chosen.values()):
        return chosen  # type: ignore[return-value]
    found = appearances.numbering_placements(data)
    return {name: chosen[name] or found[name] for name in chosen if chosen[name] or name in found}


def _step_activate(step: SigningStep | None) -> None:
    if step is None:
        return
    step.status = StepStatus.ACTIVE
    step.save(update_fields=["status"])
    users = [a.user for a in step.assignees.select_related("user") if a.user]
    users += _seal_clerks(step)
    kind = step.get_kind_display().lower()
    _notify(users, step.request, f"Có văn bản chờ bạn {kind}: {step.request.document}")


def _seal_clerks(step: SigningStep) -> list[User]:
    from accounts.models import Membership, Role

    bodies = [a.seal_body_id for a in step.assignees.all() if a.seal_body_id and not a.user_id]
    if not bodies:
        return []
    memberships = Membership.objects.filter(body_id__in=bodies, role=Role.CLERK)
    return [m.user for m in memberships.select_related("user")]


# --- Acting on a step -------------------------------------------------------------------------


def _acting_assignee(actor: User, assignee: StepAssignee) -> StepAssignee:
    """The assignee row, re-read, if *actor* may act on it now; a refusal otherwise."""
    assignee = StepAssignee.objects.select_related(
        "step__request__document", "user", "seal_body"
    ).get(pk=assignee.pk)
    if not assignee_may_act(actor, assignee):
        raise PermissionDenied("Bạn không phải người xử lý bước này.")
    request = assignee.step.request
    if request.status != RequestStatus.IN_PROGRESS or assignee.step.status != StepStatus.ACTIVE:
        raise ValidationError("Bước ký này chưa đến lượt hoặc đã kết thúc.")
    if assignee.status != AssigneeStatus.WAITING:
        raise ValidationError("Bạn đã xử lý bước này rồi.")
    return assignee


def _identity_of(actor: User, assignee: StepAssignee) -> SigningIdentity:
    if assignee.seal_body_id:
        identity = identity_for_body(assignee.seal_body)
        missing = f"{assignee.seal_body} chưa có chứng thư ký số của cơ quan (con dấu số)."
    else:
        identity = identity_for_user(actor)
        missing = "Bạn chưa có chứng thư ký số. Hãy liên hệ quản trị hệ thống."
    if identity is None:
        raise ValidationError(missing, code="no_identity")
    return identity


def _signed_field_names(data: bytes) -> set[str]:
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return {name for name, value, _ref in fields.enumerate_sig_fields(reader) if value is not None}


def _require_main_signed(request: SigningRequest, data: bytes) -> None:
    """Decree 30 Art. 32.2(d): the agency's key only goes on a document that already carries
    the competent person's signature — checked in the PDF itself, not only in our records."""
    main_fields = set(
        StepAssignee.objects.filter(
            step__request=request, step__kind=StepKind.MAIN, status=AssigneeStatus.SIGNED
        ).values_list("field_name", flat=True)
    )
    if not main_fields or not main_fields <= _signed_field_names(data):
        raise ValidationError(
            "Chưa thể đóng dấu: văn bản chưa có chữ ký số của người có thẩm quyền "
            "(Nghị định 30/2020/NĐ-CP, Điều 32 khoản 2 điểm d).",
            code="seal_before_main",
        )
    if (request.number_field_rect or request.date_field_rect) and request.numbered_at is None:
        raise ValidationError(
            "Chưa thể đóng dấu: văn thư chưa cấp số và ngày ban hành cho văn bản.",
            code="not_numbered",
        )


def _now_vietnam() -> str:
    return timezone.localtime(timezone.now()).strftime(TIME_FORMAT)


def _stamp_for(kind: str, request: SigningRequest, identity: SigningIdentity, actor: User):
    image = bytes(identity.signature_image) if identity.signature_image else None
    if kind == StepKind.SEAL and request.is_attachment:
        text = appearances.attachment_text(
            number_symbol=request.document.number_symbol, signed_at_iso=_now_vietnam()
        )
        return appearances.text_style(text, size=10)
    if kind in (StepKind.MAIN, StepKind.SEAL) and image:
        return appearances.image_style(image)
    if kind == StepKind.INITIAL:
        initials = "".join(word[0] for word in actor.get_full_name().split()).upper()
        return appearances.text_style(f"{initials} (ký nháy)", size=8)
    return appearances.text_style(f"Ký bởi: {actor.get_full_name()}\n{_now_vietnam()}", size=8)


@dataclass(frozen=True)
class SignPlan:
    """What signing one step needs, checked and read before any key is touched: the version
    signed (``base``), its bytes, the identity, the level and pyHanko's options."""

    assignee: StepAssignee
    base: DocumentVersion
    data: bytes
    identity: SigningIdentity
    level: PadesLevel
    options: SignOptions


def step_sign_plan(*, actor: User, assignee: StepAssignee, reason: str = "") -> SignPlan:
    """Check that *actor* may sign *assignee* now and gather what the signature needs (shared
    by one-by-one and bulk signing, so both apply the same rules and appearances)."""
    assignee = _acting_assignee(actor, assignee)
    step, request = assignee.step, assignee.step.request
    base = request.current_version
    _require_latest(request, base)
    identity = _identity_of(actor, assignee)
    data = _read(base)
    if step.kind == StepKind.SEAL and not request.is_attachment:
        _require_main_signed(request, data)
    options = SignOptions(
        field_name=assignee.field_name,
        stamp_style=_stamp_for(step.kind, request, identity, actor),
        reason=nfc(reason) or step.get_kind_display(),
        location=request.body.place_name or None,
    )
    return SignPlan(
        assignee=assignee,
        base=base,
        data=data,
        identity=identity,
        level=PadesLevel(request.level),
        options=options,
    )


async def _sign_planned(plan: SignPlan, passphrase: str) -> bytes:
    async with identity_signing(identity=plan.identity, passphrase=passphrase) as signer:
        return await async_sign_pdf_bytes(
            data=plan.data, signer=signer, level=plan.level, **plan.options
        )


def step_sign(
    *, actor: User, assignee: StepAssignee, passphrase: str, reason: str = ""
) -> DocumentVersion:
    """Approve and sign: check the key and certificate, sign the current version (incremental
    update), store the result as the next version. Not atomic on purpose: see the module.

    Any identity the server can drive signs: PKCS#12, PKCS#11 token/HSM, or CSC (whose PIN is
    sent with the authorisation). Not for use inside an event loop (it runs its own).
    """
    plan = step_sign_plan(actor=actor, assignee=assignee, reason=reason)
    signed = asyncio.run(_sign_planned(plan, passphrase))
    return step_signature_store(actor=actor, plan=plan, signed=signed)


def step_signature_store(*, actor: User, plan: SignPlan, signed: bytes) -> DocumentVersion:
    """Store a signature made from *plan*: a new version if nobody got there first."""
    return _signature_commit(
        actor=actor, assignee=plan.assignee, base=plan.base, signed=signed, identity=plan.identity
    )


@transaction.atomic
def _signature_commit(
    *,
    actor: User,
    assignee: StepAssignee,
    base: DocumentVersion,
    signed: bytes,
    identity: SigningIdentity,
) -> DocumentVersion:
    request = _locked(assignee.step.request)
    # The lock is held: whoever committed first is now visible, and nobody can slip in.
    if request.current_version_id != base.pk:
        raise ValidationError(CHANGED, code="document_changed")
    _require_latest(request, base)
    assignee = StepAssignee.objects.select_related("step").get(pk=assignee.pk)
    if assignee.status != AssigneeStatus.WAITING:
        raise ValidationError("Bạn đã xử lý bước này rồi.")
    step = assignee.step
    version = _store(
        actor=actor,
        request=request,
        data=signed,
        note=f"{step.get_kind_display()}: {actor.get_full_name()}",
    )
    request.current_version = version
    request.save(update_fields=["current_version"])
    assignee.status = AssigneeStatus.SIGNED
    assignee.acted_at = timezone.now()
    assignee.acted_by = actor
    assignee.signed_version = version
    assignee.save(update_fields=["status", "acted_at", "acted_by", "signed_version"])
    verb = {StepKind.INITIAL: "initialled", StepKind.MAIN: "signed", StepKind.SEAL: "sealed"}
    _audit(
        actor,
        f"step_{verb[step.kind]}",
        request,
        step=step.order,
        field=assignee.field_name,
        identity=identity.name,
        certificate_sha256=identity.fingerprint_sha256,
        level=request.level,
        before_sha256=base.blob.sha256,
        after_sha256=version.blob.sha256,
        version=version.number,
    )
    _step_advance(actor, request, step)
    return version


def _step_advance(actor: User, request: SigningRequest, step: SigningStep) -> None:
    if step.assignees.filter(status=AssigneeStatus.WAITING).exists():
        return
    step.status = StepStatus.DONE
    step.save(update_fields=["status"])
    following = request.steps.filter(order__gt=step.order).order_by("order").first()
    if following is not None:
        _step_activate(following)
        if step.kind == StepKind.MAIN and request.number_field_rect:
            _notify([request.created_by], request, f"Đã ký, chờ cấp số: {request.document}")
        return
    request.status = RequestStatus.COMPLETED
    request.completed_at = timezone.now()
    request.save(update_fields=["status", "completed_at"])
    Document.objects.filter(pk=request.document_id).update(status=DocumentStatus.ISSUED)
    _audit(
        actor,
        "request_completed",
        request,
        final_sha256=request.current_version.blob.sha256,
        version=request.current_version.number,
    )
    readers = [r.user for r in request.readers.select_related("user")]
    _notify([request.created_by, *readers], request, f"Đã ký xong: {request.document}")


@transaction.atomic
def step_return(*, actor: User, assignee: StepAssignee, reason: str) -> SigningRequest:
    """Return the document to the clerk with a reason; the request stops here."""
    reason = nfc(reason)
    if not reason:
        raise ValidationError({"reason": "Hãy ghi lý do trả lại."})
    assignee = _acting_assignee(actor, assignee)
    request = _locked(assignee.step.request)
    assignee.status = AssigneeStatus.RETURNED
    assignee.acted_at, assignee.acted_by, assignee.reason = timezone.now(), actor, reason[:1000]
    assignee.save(update_fields=["status", "acted_at", "acted_by", "reason"])
    SigningStep.objects.filter(pk=assignee.step_id).update(status=StepStatus.RETURNED)
    request.status = RequestStatus.RETURNED
    request.return_reason = reason[:1000]
    request.save(update_fields=["status", "return_reason"])
    _audit(
        actor,
        "step_returned",
        request,
        step=assignee.step.order,
        reason=reason,
        sha256=request.current_version.blob.sha256,
    )
    message = f"Văn bản bị trả lại: {request.document}. Lý do: {reason}"
    _notify([request.created_by], request, message)
    return request


@transaction.atomic
def step_delegate(
    *, actor: User, assignee: StepAssignee, to_user: User, reason: str = ""
) -> StepAssignee:
    """Hand one's place in a step to someone else, who signs in the same field."""
    assignee = _acting_assignee(actor, assignee)
    if assignee.seal_body_id:
        raise ValidationError("Không ủy quyền được bước đóng dấu của cơ quan.")
    if to_user.pk == actor.pk or not to_user.is_active:
        raise ValidationError({"to_user": "Hãy chọn một người khác để ủy quyền."})
    if identity_for_user(to_user) is None:
        raise ValidationError({"to_user": f"{to_user} chưa có chứng thư ký số."})
    request = _locked(assignee.step.request)
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
    _audit(
        actor,
        "step_delegated",
        request,
        step=assignee.step.order,
        to_user=to_user.pk,
        reason=assignee.reason,
        sha256=request.current_version.blob.sha256,
    )
    _notify([to_user], request, f"{actor} ủy quyền cho bạn xử lý văn bản: {request.document}")
    return delegate


# --- Numbering after the competent person has signed (Decree 30 Art. 15.3) --------------------


@transaction.atomic
def request_number_assign(
    *, actor: User, request: SigningRequest, number: str, issued_on: date
) -> DocumentVersion | None:
    """Give the document its number and date by filling the prepared fields: an incremental
    update the competent person's signature permits (form filling). Returns the new version,
    or None for a document numbered in its metadata only."""
    request = _locked(request)
    if not request_may_manage(actor, request):
        raise PermissionDenied("Chỉ văn thư trình ký mới cấp số cho văn bản này.")
    number = nfc(number).strip()
    if not number or not number.isdigit():
        raise ValidationError({"number": "Số văn bản phải là số (ví dụ: 45)."})
    if request.status != RequestStatus.IN_PROGRESS or request.numbered_at is not None:
        raise ValidationError("Văn bản này không ở bước cấp số.")
    if request.steps.filter(kind=StepKind.MAIN).exclude(status=StepStatus.DONE).exists():
        raise ValidationError("Chỉ cấp số sau khi người có thẩm quyền đã ký.")
    base = request.current_version
    _require_latest(request, base)
    document = Document.objects.select_for_update().get(pk=request.document_id)
    document.number, document.issued_on = number, issued_on
    document.full_clean()
    document.save(update_fields=["number", "issued_on", "updated_at"])
    version = None
    if request.number_field_rect or request.date_field_rect:
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
        filled = appearances.text_fields_fill(data=_read(base), values=values)
        version = _store(actor=actor, request=request, data=filled, note="Cấp số, ngày văn bản")
        request.current_version = version
    request.numbered_at = timezone.now()
    request.save(update_fields=["current_version", "numbered_at"])
    _audit(
        actor,
        "request_numbered",
        request,
        number_symbol=document.number_symbol,
        issued_on=issued_on,
        before_sha256=base.blob.sha256,
        after_sha256=(version or base).blob.sha256,
    )
    return version


@transaction.atomic
def request_viewed(*, actor: User, request: SigningRequest) -> None:
    """An assignee opened the request (item 10: "viewed" is a step of the trail too)."""
    version = request.current_version or request.source_version
    _audit(actor, "request_viewed", request, sha256=version.blob.sha256)
    SigningNotice.objects.filter(user=actor, request=request, read_at=None).update(
        read_at=timezone.now()
    )


@transaction.atomic
def request_cancel(*, actor: User, request: SigningRequest) -> SigningRequest:
    request = _locked(request)
    if not request_may_manage(actor, request):
        raise PermissionDenied("Chỉ người trình mới hủy được yêu cầu này.")
    if request.status in (RequestStatus.COMPLETED, RequestStatus.CANCELLED):
        raise ValidationError("Yêu cầu này đã kết thúc.")
    request.status = RequestStatus.CANCELLED
    request.save(update_fields=["status"])
    _audit(actor, "request_cancelled", request)
    return request
