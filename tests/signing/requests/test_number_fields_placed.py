"""The clerk places the number and date fields on the preview when the draft is not the
template: the boxes drawn on the request form become the fields the number is filled into."""

from __future__ import annotations

import pytest
from django.urls import reverse

from documents.storage import blob_open
from signing.models import SigningRequest
from signing.pades import appearances
from tests.signing.helpers import field_rect, register, to_trinh

pytestmark = pytest.mark.django_db

NUMBER_BOX = "1,80,700,160,22"
DATE_BOX = "1,300,700,230,22"


def _post(client, province, **extra):
    version = register(province, to_trinh()[0])
    client.force_login(province.clerk)
    url = reverse("signing:request_new", args=[version.document_id, version.number])
    data = {"main_signer": province.chair.pk, "level": "B-B", **extra}
    return client.post(url, data, follow=True)


def test_the_boxes_drawn_become_the_number_and_date_fields(client, province):
    _post(client, province, number_box=NUMBER_BOX, date_box=DATE_BOX)
    request = SigningRequest.objects.get()
    assert request.number_field_rect == [0, 80, 700, 160, 22]
    assert request.date_field_rect == [0, 300, 700, 230, 22]

    client.post(reverse("signing:request_send", args=[request.pk]))
    request.refresh_from_db()
    with blob_open(request.current_version.blob.storage_name) as handle:
        prepared = handle.read()
    # Sent: the fields sit where the clerk drew them, not where the draft's lines are.
    x1, y1, x2, _y2 = field_rect(prepared, appearances.NUMBER_FIELD)
    assert (round(x1), round(x2)) == (80, 240) and round(y1) == 700
    x1, _y1, x2, _y2 = field_rect(prepared, appearances.DATE_FIELD)
    assert (round(x1), round(x2)) == (300, 530)


@pytest.mark.parametrize(
    ("box", "message"),
    [
        ("1,80,700", "Vị trí ô số hoặc ô ngày không hợp lệ"),
        ("1,80,700,10,5", "quá nhỏ hoặc nằm ngoài trang"),
        ("0,80,700,160,22", "quá nhỏ hoặc nằm ngoài trang"),
        ("9,80,700,160,22", "nằm ở trang không có trong văn bản"),
    ],
)
def test_a_box_that_cannot_be_a_field_is_refused_in_vietnamese(client, province, box, message):
    page = _post(client, province, number_box=box).content.decode()
    assert message in page
    assert not SigningRequest.objects.exists()
