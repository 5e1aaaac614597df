"""The request screens added with bulk signing: cancelling, and an attachment sealed alone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from signing.models import RequestStatus, SigningRequest, StepKind
from tests.signing.helpers import register, to_trinh

pytestmark = pytest.mark.django_db


def _new_request(client, world, **fields) -> SigningRequest:
    version = register(world, to_trinh()[0])
    client.force_login(world.clerk)
    url = reverse("signing:request_new", args=[version.document_id, version.number])
    response = client.post(url, {"level": "B-B", **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    return SigningRequest.objects.get(document=version.document)


def test_the_clerk_cancels_a_request_and_the_signer_cannot(client, province):
    request = _new_request(client, province, main_signer=province.chair.pk)
    client.force_login(province.chair)
    client.post(reverse("signing:request_cancel", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == RequestStatus.DRAFT
    client.force_login(province.clerk)
    page = client.get(reverse("signing:request_detail", args=[request.pk])).content.decode()
    assert "Hủy yêu cầu trình ký" in page
    response = client.post(reverse("signing:request_cancel", args=[request.pk]), follow=True)
    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED
    assert "Đã hủy yêu cầu trình ký." in response.content.decode()


def test_an_attachment_in_its_own_file_gets_only_the_agency_seal(client, province):
    main = _new_request(client, province, main_signer=province.chair.pk)
    request = _new_request(client, province, is_attachment="on", main_request=main.pk)
    assert request.is_attachment
    assert [s.kind for s in request.steps.all()] == [StepKind.SEAL]
    assert request.steps.get().assignees.get().seal_body == province.ubnd


def test_without_attachment_the_competent_person_is_required(client, province):
    version = register(province, to_trinh()[0])
    client.force_login(province.clerk)
    url = reverse("signing:request_new", args=[version.document_id, version.number])
    response = client.post(url, {"level": "B-B"})
    assert response.status_code == 200
    assert "Hãy chọn người có thẩm quyền ký." in response.content.decode()
