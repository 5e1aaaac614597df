"""Numbering after signing (Decree 30 Art. 15.3): one rule says when a request can be numbered,
and the request page and the numbering service both take it from there."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from signing.models import SigningRequest, StepKind
from signing.selectors import request_number_refusal, waiting_for
from signing.services import (
    AssigneeSpec,
    StepSpec,
    request_cancel,
    request_create,
    request_number_assign,
    request_send,
    step_sign,
)
from tests.signing.helpers import register, to_trinh

pytestmark = pytest.mark.django_db

ISSUED_ON = dt.date(2026, 2, 5)


def _draft(world) -> SigningRequest:
    pdf, area = to_trinh()
    steps = [
        StepSpec(StepKind.MAIN, (AssigneeSpec(user=world.chair, placement=area),)),
        StepSpec(StepKind.SEAL, (AssigneeSpec(seal_body=world.ubnd),)),
    ]
    return request_create(actor=world.clerk, version=register(world, pdf), steps=steps, level="B-B")


def _chair_signs(world, request: SigningRequest) -> None:
    assignee = waiting_for(world.chair).get(step__request=request)
    step_sign(actor=world.chair, assignee=assignee, passphrase=settings.KYHOP_PKI_PASSPHRASE)


def _offered(world, request: SigningRequest) -> bool:
    """Whether the clerk's request page shows the numbering form."""
    client = Client()
    client.force_login(world.clerk)
    response = client.get(reverse("signing:request_detail", args=[request.pk]))
    assert response.status_code == 200
    action = reverse("signing:request_number", args=[request.pk])
    return response.context["needs_number"] and action in response.content.decode()


def _numbers(world, request: SigningRequest) -> str | None:
    """None if the service numbers the request, else its refusal."""
    try:
        request_number_assign(actor=world.clerk, request=request, issued_on=ISSUED_ON)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def _state(world, name: str) -> SigningRequest:
    request = _draft(world)
    if name == "draft":
        return request
    request = request_send(actor=world.clerk, request=request)
    if name == "cancelled":
        return request_cancel(actor=world.clerk, request=request)
    if name == "waiting_for_the_chair":
        return request
    _chair_signs(world, request)
    if name == "numbered":
        request_number_assign(actor=world.clerk, request=request, issued_on=ISSUED_ON)
    return SigningRequest.objects.get(pk=request.pk)


@pytest.mark.parametrize(
    ("state", "refusal"),
    [
        ("draft", "Văn bản này không ở bước cấp số."),
        ("cancelled", "Văn bản này không ở bước cấp số."),
        ("waiting_for_the_chair", "Chỉ cấp số sau khi người có thẩm quyền đã ký."),
        ("signed_by_the_chair", None),
        ("numbered", "Văn bản này không ở bước cấp số."),
    ],
)
def test_the_page_offers_numbering_exactly_when_the_service_numbers(province, state, refusal):
    request = _state(province, state)

    assert request_number_refusal(request) == refusal
    assert _offered(province, request) is (refusal is None)
    assert _numbers(province, request) == refusal
