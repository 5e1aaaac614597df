"""Where the fields of a signing request go, decided when it is sent: signature fields
(main, initials, seal; see signing.pades.appearances) and the numbering fields.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.db.models import Prefetch
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pypdf import PdfReader

from signing.backends.identities import identity_for_user
from signing.models import (
    AssigneeStatus,
    SigningIdentity,
    SigningRequest,
    SigningStep,
    StepAssignee,
    StepKind,
)
from signing.pades import appearances
from signing.pades.appearances import Placement, SigFieldPlan

DEFAULT_SIGNATURE_ASPECT = (600, 240)  # when the signer has no image yet


MM = appearances.MM


@dataclass(frozen=True)
class PreparedFields:
    plans: list[SigFieldPlan] = field(default_factory=list)
    text_fields: dict[str, Placement] = field(default_factory=dict)


def rect_json(placement: Placement | None) -> list[float] | None:
    if placement is None:
        return None
    return [placement.page, placement.x, placement.y, placement.width, placement.height]


def _rect_from_json(value: list[float] | None) -> Placement | None:
    if not value:
        return None
    page, x, y, width, height = value
    return Placement(int(page), x, y, width, height)


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


def _live_assignees() -> Prefetch[str]:
    # A delegated row has handed its field to its delegate's row: one field per name.
    live = StepAssignee.objects.exclude(status=AssigneeStatus.DELEGATED)
    return Prefetch("assignees", queryset=live)


def _image_size(identity: SigningIdentity | None) -> tuple[int, int]:
    if identity is None or not identity.signature_image:
        return DEFAULT_SIGNATURE_ASPECT
    image = appearances.signature_image_check(bytes(identity.signature_image))
    return image.size


def fields_plan(request: SigningRequest, data: bytes) -> PreparedFields:
    """Where each signature field and the numbering fields go (see signing.pades.appearances)."""
    sizes = _page_sizes(data)
    existing = _existing_field_rects(data)
    steps = list(request.steps.order_by("order").prefetch_related(_live_assignees()))
    text_fields = _numbering_rects(request, data)
    main_area = _main_area_hint(steps, existing, sizes, data)
    main_image: Placement | None = None
    plans: list[SigFieldPlan] = []
    initials = 0
    for step in steps:
        # After this step signs, its own and later fields and the numbering stay fillable.
        later = [a.field_name for s in steps if s.order >= step.order for a in s.assignees.all()]
        unlocked = (*later, *text_fields)
        for assignee in step.assignees.all():
            chosen = _assignee_placement(assignee)
            placement: Placement | None
            if step.kind == StepKind.MAIN:
                in_pdf = existing.get(assignee.field_name)
                area = chosen or in_pdf or _signer_area(data, assignee, sizes)
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
    return PreparedFields(plans=plans, text_fields=text_fields)


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
    steps: list[SigningStep],
    existing: dict[str, Placement],
    sizes: list[tuple[float, float]],
    data: bytes,
) -> Placement:
    for step in steps:
        if step.kind == StepKind.MAIN:
            for assignee in step.assignees.all():
                return (
                    _assignee_placement(assignee)
                    or existing.get(assignee.field_name)
                    or _signer_area(data, assignee, sizes)
                )
    return _default_main_area(sizes)


def _signer_area(
    data: bytes, assignee: StepAssignee, sizes: list[tuple[float, float]]
) -> Placement:
    """Where no area was drawn: the space above the signer's printed name on the last page
    (Decree 30's signer block), else the bottom right corner."""
    if assignee.user is not None and assignee.user.full_name:
        found = appearances.signer_block_area(
            data, page=len(sizes) - 1, full_name=assignee.user.full_name
        )
        if found is not None:
            return found
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
