"""Initials in parallel (one step) or one after another in the order the clerk chose (one
step each), an option of the request form."""

from __future__ import annotations

import pytest
from django.conf import settings

from signing.models import SigningRequest, StepKind
from signing.selectors import waiting_for
from signing.services import request_send, step_sign
from tests.signing.helpers import register, to_trinh

pytestmark = pytest.mark.django_db


def _post(client, world, **fields):
    version = register(world, to_trinh()[0])
    client.force_login(world.clerk)
    data = {"main_signer": world.chair.pk, "level": "B-B", **fields}
    return client.post(f"/ky-so/trinh/{version.document_id}/{version.number}/", data)


def _plan(request) -> list[tuple[str, list[str]]]:
    return [
        (step.kind, [a.user.username for a in step.assignees.all()])
        for step in request.steps.order_by("order")
    ]


def test_initials_in_the_chosen_order_are_one_step_each(
    province, client, django_capture_on_commit_callbacks
):
    response = _post(
        client,
        province,
        initial_order_1=province.drafter2.pk,
        initial_order_2=province.drafter1.pk,
    )
    assert response.status_code == 302
    request = SigningRequest.objects.get()
    assert _plan(request) == [
        (StepKind.INITIAL, ["daibieu2"]),
        (StepKind.INITIAL, ["daibieu1"]),
        (StepKind.MAIN, ["chutich"]),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        request_send(actor=province.clerk, request=request)
    # Only the first in the order is asked; the second waits for them.
    assert waiting_for(province.drafter1).count() == 0
    first = waiting_for(province.drafter2).get()
    with django_capture_on_commit_callbacks(execute=True):
        step_sign(actor=province.drafter2, assignee=first, passphrase=settings.KYHOP_PKI_PASSPHRASE)
    assert waiting_for(province.drafter1).filter(step__request=request).count() == 1
    assert waiting_for(province.chair).count() == 0


def test_initials_in_parallel_stay_one_step(province, client):
    response = _post(client, province, initial_signers=[province.drafter1.pk, province.drafter2.pk])
    assert response.status_code == 302
    plan = _plan(SigningRequest.objects.get())
    assert plan[0][0] == StepKind.INITIAL and sorted(plan[0][1]) == ["daibieu1", "daibieu2"]
    assert [kind for kind, _ in plan] == [StepKind.INITIAL, StepKind.MAIN]


def test_both_ways_at_once_or_a_person_twice_is_refused(province, client):
    both = _post(
        client,
        province,
        initial_signers=[province.drafter1.pk],
        initial_order_1=province.drafter2.pk,
    )
    assert both.status_code == 200
    assert "Chọn ký nháy song song hoặc ký nháy lần lượt, không chọn cả hai." in (
        both.content.decode()
    )
    twice = _post(
        client,
        province,
        initial_order_1=province.drafter1.pk,
        initial_order_2=province.drafter1.pk,
    )
    assert "Mỗi người chỉ ký nháy một lần." in twice.content.decode()
    assert not SigningRequest.objects.exists()
