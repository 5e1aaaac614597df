"""Numbering reads its fields back: a number that would print garbled (the field narrower than
what it must show) is refused with a Vietnamese message, and nothing is numbered."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from documents.models import Document, OutgoingEntry
from signing.models import SigningRequest, StepKind
from signing.pades import appearances
from signing.selectors import waiting_for
from signing.services import (
    AssigneeSpec,
    StepSpec,
    request_create,
    request_number_assign,
    request_send,
    step_sign,
)
from tests.signing.helpers import register, to_trinh

pytestmark = pytest.mark.django_db


def test_a_number_that_would_print_garbled_is_refused(province):
    world = province
    pdf, area = to_trinh()
    found = appearances.numbering_placements(pdf)
    narrow = replace(found[appearances.NUMBER_FIELD], width=30)
    steps = [
        StepSpec(StepKind.MAIN, (AssigneeSpec(user=world.chair, placement=area),)),
        StepSpec(StepKind.SEAL, (AssigneeSpec(seal_body=world.ubnd),)),
    ]
    request = request_create(
        actor=world.clerk,
        version=register(world, pdf),
        steps=steps,
        level="B-B",
        number_placement=narrow,
        date_placement=found[appearances.DATE_FIELD],
    )
    request = request_send(actor=world.clerk, request=request)
    assignee = waiting_for(world.chair).get(step__request=request)
    step_sign(actor=world.chair, assignee=assignee, passphrase=settings.KYHOP_PKI_PASSPHRASE)
    request = SigningRequest.objects.get(pk=request.pk)
    with pytest.raises(ValidationError) as refused:
        request_number_assign(actor=world.clerk, request=request, issued_on=dt.date(2026, 2, 5))
    assert "không hiện rõ" in " ".join(refused.value.messages)
    request.refresh_from_db()
    assert request.numbered_at is None
    assert Document.objects.get(pk=request.document_id).number in ("", None)
    # The register's number was not taken: the next numbering gets the first number.
    assert not OutgoingEntry.objects.filter(document_id=request.document_id).exists()
