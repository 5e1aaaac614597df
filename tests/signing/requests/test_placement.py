"""Where the competent person's signature goes when the clerk draws no area: in the space of
the signer block, above the printed name (Decree 30), not in a corner of the page."""

from __future__ import annotations

import pytest

from signing.models import StepKind
from signing.requests.fields import fields_plan
from signing.services import AssigneeSpec, StepSpec, request_create
from tests.signing.helpers import register, to_trinh

pytestmark = pytest.mark.django_db


def _inside(inner, outer) -> bool:
    return (
        inner.page == outer.page
        and outer.x <= inner.x
        and inner.x + inner.width <= outer.x + outer.width
        and outer.y <= inner.y
        and inner.y + inner.height <= outer.y + outer.height
    )


def test_without_a_drawn_area_the_signature_lands_above_the_printed_name(province):
    pdf, block = to_trinh()  # the renderer's own signer block: where Decree 30 wants it
    request = request_create(
        actor=province.clerk,
        version=register(province, pdf),
        steps=[StepSpec(StepKind.MAIN, (AssigneeSpec(user=province.chair),))],
        level="B-B",
    )
    plans = {plan.name: plan for plan in fields_plan(request, pdf).plans}
    main = request.steps.get(kind=StepKind.MAIN).assignees.get()
    placement = plans[main.field_name].placement
    assert placement is not None and _inside(placement, block)


def test_a_signer_whose_name_is_not_printed_gets_the_bottom_right_corner(province):
    pdf, block = to_trinh()
    request = request_create(
        actor=province.clerk,
        version=register(province, pdf),
        steps=[StepSpec(StepKind.MAIN, (AssigneeSpec(user=province.deputy),))],
        level="B-B",
    )
    plans = fields_plan(request, pdf).plans
    placement = plans[0].placement
    assert placement is not None and not _inside(placement, block)
    assert placement.y < block.y  # lower on the page: the corner, not the chair's block
