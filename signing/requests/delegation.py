"""Delegation (ủy quyền) of a main signature and the signer block it needs (Decree 30/2020/NĐ-CP,
Art. 13 and Appendix I): a delegate never signs above the original signer's printed name.

- A document KyHop laid out (``SigningRequest.rendered_from``) is laid out again with the
  delegate's block: the authority line gains "KT." (a deputy of the body signs for its head,
  under the "TM." line if there is one), "TL." (by order) or "TUQ." (a written authorisation)
  before the original position — these two replace a "TM." line, which only the head and its
  deputies sign under — then the delegate's own position and name. The new layout is issued
  as a new version with the fields re-placed where the new block's signature area is.
- That is only done while nobody has signed the document: a new layout is a new file, and
  it would leave every signature already on the PDF behind (an incremental update cannot
  change the page without breaking them). Once someone has signed, the delegation is refused
  and the signer returns the document for a new draft.
- An uploaded draft has its names printed in the file, which KyHop cannot re-print: its main
  signature is not delegated; the signer returns it for a revised draft with the delegate's
  block (the clerk then sends the revised draft to the delegate).
- Initials (ký nháy) have no printed block: they are delegated into the same field.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from django.utils.translation import gettext

from accounts.models import Body, Membership, Role, User
from documents.rendering import (
    AdministrativeDocument,
    RenderedDocument,
    Signer,
    document_from_json,
    render,
)
from signing.models import AssigneeStatus, SignsAs, StepAssignee, StepKind
from signing.pades.appearances import Placement

# "Ủy ban nhân dân tỉnh Bắc Ninh" → "Ủy ban nhân dân": the body as a position names it.
_PLACE_SUFFIX = re.compile(r"\s+(tỉnh|thành phố|huyện|thị xã|xã|phường|thị trấn)(\s.*)?$")


@dataclass(frozen=True)
class DelegationOutlook:
    """What delegating a step to someone would do, shown before the delegator confirms.

    ``blocks`` holds, for each way the delegate may sign, the signer block the document will
    print; it is empty when no block is re-printed (initials). ``refusal`` says why the
    delegation cannot be made, in the actor's language; empty when it can.
    """

    refusal: str = ""
    blocks: dict[str, Signer] = dataclasses.field(default_factory=dict)
    default: str = ""

    @property
    def reprints(self) -> bool:
        return bool(self.blocks)

    @property
    def choices(self) -> list[tuple[str, str, Signer]]:
        """(prefix, its name untranslated, the block) for the confirmation page."""
        return [(way, SignsAs(way).label, block) for way, block in self.blocks.items()]


def signs_as_text(signs_as: str, original: object) -> str:
    """ "Ký thay (KT.) cho Nguyễn Văn Hùng", in Vietnamese: notices and the completion record
    stay Vietnamese (the screens say it through signing/_signs_as.html, translated)."""
    how = SignsAs(signs_as).label if signs_as else "Xử lý thay"
    return f"{how} cho {original}"


def short_position(user: User, body: Body) -> str:
    """ "Phó Chủ tịch Ủy ban nhân dân tỉnh" → "Phó Chủ tịch" when the block is the body's (its
    name is printed above); another unit's position stays whole ("Giám đốc Sở Nội vụ")."""
    position = user.position.strip()
    core = _PLACE_SUFFIX.sub("", body.name).strip().lower()
    cut = position.lower().find(" " + core) if core else -1
    return position[:cut].strip() if cut > 0 else position


def is_deputy(user: User, body_id: int) -> bool:
    return Membership.objects.filter(user=user, body_id=body_id, role=Role.VICE_CHAIR).exists()


def delegated_signer(original: Signer, *, signs_as: str, position: str, full_name: str) -> Signer:
    """The block of someone signing *signs_as* for *original* (see the module)."""
    authority = original.authority
    if signs_as != SignsAs.KT:
        authority = tuple(line for line in authority if not line.upper().startswith("TM."))
    return Signer(
        position=position,
        full_name=full_name,
        field_id=original.field_id,
        authority=(*authority, f"{signs_as} {original.position}"),
    )


def _uploaded_refusal() -> str:
    return gettext(
        "Văn bản này là tệp tải lên: chức vụ và họ tên in trên văn bản là của người ký ban "
        "đầu, người được ủy quyền không thể ký vào đó. Hãy bấm “Trả lại” để văn thư soạn lại "
        "dự thảo ghi chức vụ, họ tên người ký thay rồi trình ký lại."
    )


def _signed_refusal() -> str:
    return gettext(
        "Văn bản đã có chữ ký số: in lại khối chữ ký cho người được ủy quyền sẽ làm mất hiệu "
        "lực chữ ký đó. Hãy bấm “Trả lại” để trình ký lại với người ký thay."
    )


def someone_signed(assignee: StepAssignee) -> bool:
    return StepAssignee.objects.filter(
        step__request_id=assignee.step.request_id, status=AssigneeStatus.SIGNED
    ).exists()


def original_signer(assignee: StepAssignee) -> tuple[AdministrativeDocument, Signer] | None:
    """The document KyHop laid out and the block *assignee* signs in; None for an upload."""
    kept = assignee.step.request.rendered_from
    if not kept:
        return None
    document = document_from_json(kept)
    for signer in document.signers:
        if signer.field_id == assignee.field_name:
            return document, signer
    return None


def delegation_outlook(assignee: StepAssignee, to_user: User) -> DelegationOutlook:
    """Whether and how *assignee*'s place may go to *to_user* (no writes, no layout)."""
    if assignee.delegated_from_id is not None:
        # Decree 30 Art. 13.3: whoever signs by authorisation may not authorise another.
        return DelegationOutlook(
            refusal=gettext("Người ký thay không được ủy quyền lại cho người khác ký.")
        )
    if assignee.step.kind != StepKind.MAIN:
        return DelegationOutlook()
    found = original_signer(assignee)
    if found is None:
        return DelegationOutlook(refusal=_uploaded_refusal())
    if someone_signed(assignee):
        return DelegationOutlook(refusal=_signed_refusal())
    _document, original = found
    deputy = is_deputy(to_user, assignee.step.request.body_id)
    position = short_position(to_user, assignee.step.request.body)
    if not position and deputy:
        position = _deputy_position(assignee, original)
    if not position:
        return DelegationOutlook(
            refusal=gettext(
                "Chưa ghi chức vụ của %(name)s: hãy nhờ quản trị hệ thống bổ sung trước khi "
                "ủy quyền (chức vụ in dưới chữ ký)."
            )
            % {"name": to_user}
        )
    # "KT." is for a deputy of the same body only; by order or by a written authorisation
    # anyone the head names may sign.
    allowed = [SignsAs.KT, SignsAs.TL, SignsAs.TUQ] if deputy else [SignsAs.TL, SignsAs.TUQ]
    blocks = {
        str(way): delegated_signer(
            original, signs_as=way, position=position, full_name=to_user.full_name
        )
        for way in allowed
    }
    return DelegationOutlook(blocks=blocks, default=str(allowed[0]))


def _deputy_position(assignee: StepAssignee, original: Signer) -> str:
    """A deputy with no position on record is the head's deputy: "Phó Chủ tịch", "Phó Giám
    đốc" (printed in the document: Vietnamese whatever the screen's language). The head's
    title comes from the head's own record, else from the block — unless the block names a
    meeting role ("Chủ trì" on a conclusion notice), which has no deputy: then the body's
    vice-chair role."""
    body = assignee.step.request.body
    head = short_position(assignee.user, body) if assignee.user else ""
    if not head and original.position.strip().lower() != "chủ trì":
        head = original.position.strip()
    if not head:
        return str(Role.VICE_CHAIR.label)
    return f"Phó {head[:1].lower()}{head[1:]}"


def delegated_layout(
    assignee: StepAssignee, block: Signer
) -> tuple[AdministrativeDocument, RenderedDocument]:
    """The document laid out again with *block* in place of the original signer's."""
    found = original_signer(assignee)
    assert found is not None  # the outlook allowed a re-print
    document, _original = found
    signers = tuple(block if s.field_id == block.field_id else s for s in document.signers)
    relaid = dataclasses.replace(document, signers=signers)
    return relaid, render(relaid)


def area_of(rendered: RenderedDocument, field_id: str) -> Placement:
    rect = rendered.signature_rects[field_id]
    return Placement.from_rect(rect.page_index, (rect.x1, rect.y1, rect.x2, rect.y2))
