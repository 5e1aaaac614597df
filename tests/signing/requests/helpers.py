"""A Tờ trình KyHop lays out itself (so a delegation can re-print its signer block), sent for
the chair's signature: shared by the delegation tests of the services and of the browser."""

from __future__ import annotations

from django.utils.safestring import mark_safe

from documents.rendering import AdministrativeDocument, Signer, render
from signing.models import SigningRequest, StepAssignee, StepKind
from signing.pades import appearances
from signing.pades.appearances import Placement
from signing.services import (
    AssigneeSpec,
    StepSpec,
    main_placement_for,
    request_create,
    request_send,
)
from tests.signing.helpers import Province, register

CHAIR_FIELD = "chu-tich"


def rendered_to_trinh() -> AdministrativeDocument:
    return AdministrativeDocument(
        issuing_body="Ủy ban nhân dân tỉnh Bắc Ninh",
        number_symbol="/TTr-UBND",
        date=None,
        place_name="Bắc Ninh",
        document_type="Tờ trình",
        abstract="Về việc phê duyệt Kế hoạch chuyển đổi số năm 2026",
        addressees=("Hội đồng nhân dân tỉnh Bắc Ninh",),
        body_html=mark_safe("<p>Ủy ban nhân dân tỉnh kính trình Hội đồng nhân dân tỉnh.</p>"),
        signers=(
            Signer(
                authority=("TM. Ủy ban nhân dân",),
                position="Chủ tịch",
                full_name="Nguyễn Văn Hùng",
                field_id=CHAIR_FIELD,
            ),
        ),
        recipients=("Như trên;", "Lưu: VT."),
    )


def rendered_request(
    world: Province,
    *,
    initials: tuple = (),
    seal: bool = False,
    seal_over_chair: bool = False,
    level: str = "B-B",
) -> SigningRequest:
    """The Tờ trình above, registered and sent: initials if given, the chair, the seal (placed
    by the clerk over the chair's signature, as the minutes place it, if *seal_over_chair*)."""
    source = rendered_to_trinh()
    rendered = render(source)
    rect = rendered.signature_rects[CHAIR_FIELD]
    area = Placement.from_rect(rect.page_index, (rect.x1, rect.y1, rect.x2, rect.y2))
    steps = []
    if initials:
        steps.append(StepSpec(StepKind.INITIAL, tuple(AssigneeSpec(user=u) for u in initials)))
    chair = AssigneeSpec(user=world.chair, placement=area, field_name=CHAIR_FIELD)
    steps.append(StepSpec(StepKind.MAIN, (chair,)))
    if seal or seal_over_chair:
        placement = None
        if seal_over_chair:
            image = main_placement_for(StepAssignee(user=world.chair), area, fill=0.9)
            placement = appearances.seal_placement(main=image)
        seal_spec = AssigneeSpec(seal_body=world.ubnd, placement=placement)
        steps.append(StepSpec(StepKind.SEAL, (seal_spec,)))
    request = request_create(
        actor=world.clerk,
        version=register(world, rendered.pdf),
        steps=steps,
        level=level,
        rendered_from=source,
    )
    return request_send(actor=world.clerk, request=request)
