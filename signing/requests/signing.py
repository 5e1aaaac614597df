"""Signing one step: check who may sign and read the version (``step_sign_plan``, shared
with bulk signing), sign outside any transaction, store in a short one (see signing.services).
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.stamp import StaticStampStyle, TextStampStyle

from accounts.models import User, nfc
from documents.models import DocumentVersion
from signing.backends.identities import identity_for_body, identity_for_user, identity_signing
from signing.models import (
    AssigneeStatus,
    SigningIdentity,
    SigningNotice,
    SigningRequest,
    StepAssignee,
    StepKind,
)
from signing.pades import appearances
from signing.pades.certcheck import CertificateStatus
from signing.pades.sign import (
    TIME_FORMAT,
    PadesLevel,
    SignOptions,
    async_certificate_clear,
    async_sign_pdf_bytes,
    revocation_unknown_allowed,
)
from signing.requests.base import (
    CHANGED,
    acting_assignee,
    request_audit,
    request_locked,
    require_latest,
    version_read,
    version_store,
)
from signing.requests.steps import step_advance


def _identity_of(actor: User, assignee: StepAssignee) -> SigningIdentity:
    seal_body = assignee.seal_body
    if seal_body is not None:
        identity = identity_for_body(seal_body)
        missing = gettext("%(body)s chưa có chứng thư ký số của cơ quan (con dấu số).") % {
            "body": seal_body
        }
    else:
        identity = identity_for_user(actor)
        missing = gettext("Bạn chưa có chứng thư ký số. Hãy liên hệ quản trị hệ thống.")
    if identity is None:
        raise ValidationError(missing, code="no_identity")
    return identity


def _signed_field_names(data: bytes) -> set[str]:
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return {name for name, value, _ref in fields.enumerate_sig_fields(reader) if value is not None}


def _require_main_numbered(request: SigningRequest) -> None:
    """An attachment is signed with its main document's number: only once it has one."""
    main = request.main_request
    if main is not None and main.numbered_at is None:
        raise ValidationError(
            gettext("Chưa thể ký phụ lục: văn bản chính chưa được cấp số."),
            code="main_not_numbered",
        )


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
            gettext(
                "Chưa thể đóng dấu: văn bản chưa có chữ ký số của người có thẩm quyền "
                "(Nghị định 30/2020/NĐ-CP, Điều 32 khoản 2 điểm d)."
            ),
            code="seal_before_main",
        )
    if request.numbered_at is None:
        raise ValidationError(
            gettext("Chưa thể đóng dấu: văn thư chưa cấp số và ngày ban hành cho văn bản."),
            code="not_numbered",
        )


def _now_vietnam() -> str:
    return timezone.localtime(timezone.now()).strftime(TIME_FORMAT)


def _stamp_for(
    kind: str, request: SigningRequest, identity: SigningIdentity, actor: User
) -> StaticStampStyle | TextStampStyle:
    # The appearance is part of the signed document: Vietnamese, whoever signs.
    image = bytes(identity.signature_image) if identity.signature_image else None
    if kind == StepKind.SEAL and request.is_attachment:
        # The main document's number and symbol (Decree 30: an attachment in its own file
        # carries them), and the signing time in ISO 8601 with +07:00.
        main = request.main_request.document if request.main_request else request.document
        text = appearances.attachment_text(
            number_symbol=main.number_symbol, signed_at_iso=_now_vietnam()
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
    # The signer's own words ("Ý kiến"), kept on the step; empty when they wrote none.
    comment: str = ""

    @property
    def allow_unknown_revocation(self) -> bool:
        """Whether this step may be signed when the CA cannot say if the certificate is
        revoked (``KYHOP_SIGN_REVOCATION_UNKNOWN``; by default no step may)."""
        return revocation_unknown_allowed(self.assignee.step.kind)


def step_sign_plan(*, actor: User, assignee: StepAssignee, reason: str = "") -> SignPlan:
    """Check that *actor* may sign *assignee* now and gather what the signature needs (shared
    by one-by-one and bulk signing, so both apply the same rules and appearances)."""
    assignee = acting_assignee(actor, assignee)
    step, request = assignee.step, assignee.step.request
    base = require_latest(request, request.current_version)
    identity = _identity_of(actor, assignee)
    data = version_read(base)
    if step.kind == StepKind.SEAL and not request.is_attachment:
        _require_main_signed(request, data)
    if step.kind == StepKind.SEAL and request.is_attachment:
        _require_main_numbered(request)
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
        comment=nfc(reason).strip()[:1000],
    )


async def _sign_planned(plan: SignPlan, passphrase: str) -> tuple[bytes, CertificateStatus]:
    async with identity_signing(identity=plan.identity, passphrase=passphrase) as signer:
        # Rules, chain and revocation, with this step's answer to "unknown": a ValidationError
        # with the reason (revoked since when and why, CA unreachable, untrusted) stops here.
        status = await async_certificate_clear(
            signer=signer, allow_unknown=plan.allow_unknown_revocation
        )
        options: SignOptions = {**plan.options, "certificate_status": status}
        signed = await async_sign_pdf_bytes(
            data=plan.data, signer=signer, level=plan.level, **options
        )
        return signed, status


def step_sign(
    *, actor: User, assignee: StepAssignee, passphrase: str, reason: str = ""
) -> DocumentVersion:
    """Approve and sign: check the key and certificate, sign the current version (incremental
    update), store the result as the next version. Not atomic on purpose: see the module.

    Any identity the server can drive signs: PKCS#12, PKCS#11 token/HSM, or CSC (whose PIN is
    sent with the authorisation). Not for use inside an event loop (it runs its own).
    """
    plan = step_sign_plan(actor=actor, assignee=assignee, reason=reason)
    signed, status = asyncio.run(_sign_planned(plan, passphrase))
    return step_signature_store(actor=actor, plan=plan, signed=signed, certificate_status=status)


def step_signature_store(
    *,
    actor: User,
    plan: SignPlan,
    signed: bytes,
    certificate_status: CertificateStatus | None = None,
) -> DocumentVersion:
    """Store a signature made from *plan*: a new version if nobody got there first.
    *certificate_status* (what the CA said before signing) goes to the audit trail."""
    return _signature_commit(
        actor=actor,
        assignee=plan.assignee,
        base=plan.base,
        signed=signed,
        identity=plan.identity,
        certificate_status=certificate_status,
        comment=plan.comment,
    )


@transaction.atomic
def _signature_commit(
    *,
    actor: User,
    assignee: StepAssignee,
    base: DocumentVersion,
    signed: bytes,
    identity: SigningIdentity,
    certificate_status: CertificateStatus | None = None,
    comment: str = "",
) -> DocumentVersion:
    request = request_locked(assignee.step.request)
    # The lock is held: whoever committed first is now visible, and nobody can slip in.
    if request.current_version_id != base.pk:
        raise ValidationError(gettext(CHANGED), code="document_changed")
    require_latest(request, base)
    assignee = StepAssignee.objects.select_related("step").get(pk=assignee.pk)
    if assignee.status != AssigneeStatus.WAITING:
        raise ValidationError(gettext("Bạn đã xử lý bước này rồi."))
    step = assignee.step
    # The version note ("Ký chính: …", the label untranslated) is the document's history.
    version = version_store(
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
    assignee.reason = comment
    assignee.save(update_fields=["status", "acted_at", "acted_by", "signed_version", "reason"])
    verb: dict[str, str] = {
        StepKind.INITIAL: "initialled",
        StepKind.MAIN: "signed",
        StepKind.SEAL: "sealed",
    }
    request_audit(
        actor,
        f"step_{verb[step.kind]}",
        request,
        step=step.order,
        field=assignee.field_name,
        identity=identity.name,
        certificate_sha256=identity.fingerprint_sha256,
        certificate_subject=identity.subject,
        certificate_serial=identity.serial,
        revocation=str(certificate_status.state) if certificate_status else None,
        revocation_checked_at=certificate_status.checked_at if certificate_status else None,
        level=request.level,
        before_sha256=base.blob.sha256,
        after_sha256=version.blob.sha256,
        version=version.number,
    )
    warning = certificate_status.warning() if certificate_status else None
    if warning:
        # Signed without a definite answer from the CA (allowed by the settings): the signer
        # is told on screen, and the audit row above says "unknown".
        SigningNotice.objects.create(user=actor, request=request, message=nfc(warning)[:500])
    step_advance(actor, request, step)
    return version
