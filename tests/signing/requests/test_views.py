"""The signing screens: the clerk's Trình ký, the inbox, signing through the form."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from signing.models import RequestStatus, SigningRequest
from tests.signing.helpers import register, to_trinh

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_clerk_routes_and_chair_signs_through_the_screens(client, province):
    pdf, _area = to_trinh()
    version = register(province, pdf)
    _login(client, province.clerk)
    url = reverse("signing:request_new", args=[version.document_id, version.number])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"main_signer": province.chair.pk, "with_seal": "on", "level": "B-B"}
    )
    created = SigningRequest.objects.get()
    assert response.status_code == 302
    client.post(reverse("signing:request_send", args=[created.pk]))
    created.refresh_from_db()
    assert created.status == RequestStatus.IN_PROGRESS

    _login(client, province.chair)
    inbox = client.get(reverse("signing:inbox"))
    assert "Chờ tôi xử lý (1)" in inbox.content.decode()
    detail = client.get(reverse("signing:request_detail", args=[created.pk]))
    assert "Đồng ý và ký" in detail.content.decode()
    action = detail.context["action"]
    wrong = client.post(
        reverse("signing:step_sign", args=[action.pk]),
        {"passphrase": "sai-mat-khau-123"},
        follow=True,
    )
    page = wrong.content.decode()
    assert "Mật khẩu (mã PIN)" in page and "không đúng" in page
    assert "sai-mat-khau-123" not in page  # never echoed back
    client.post(
        reverse("signing:step_sign", args=[action.pk]),
        {"passphrase": settings.KYHOP_PKI_PASSPHRASE},
    )
    created.refresh_from_db()
    assert created.current_version.number == version.number + 2  # prepared, then signed


def test_outsiders_get_404(client, province):
    pdf, _area = to_trinh()
    version = register(province, pdf)
    _login(client, province.clerk)
    client.post(
        reverse("signing:request_new", args=[version.document_id, version.number]),
        {"main_signer": province.chair.pk, "level": "B-B"},
    )
    created = SigningRequest.objects.get()
    _login(client, province.outsider)
    assert client.get(reverse("signing:request_detail", args=[created.pk])).status_code == 404
    new_url = reverse("signing:request_new", args=[version.document_id, version.number])
    assert client.get(new_url).status_code == 404
