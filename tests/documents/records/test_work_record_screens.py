"""Work record screens: list, open, detail, add a document, close; outsiders see nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Clearance
from documents.models import WorkRecord, WorkRecordStatus
from documents.services import work_record_open

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("doc_storage")]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def record(world):
    return work_record_open(
        actor=world.clerk,
        code="2026.HS-01",
        name="Hồ sơ chuyển đổi số năm 2026",
        owning_body=world.stttt,
        retention_years=10,
    )


def test_a_clerk_opens_a_permanent_record_from_the_form(world):
    client = _client(world.clerk)
    assert client.get(reverse("documents:record_open")).status_code == 200
    response = client.post(
        reverse("documents:record_open"),
        {
            "code": "HS-VV",
            "name": "Hồ sơ vĩnh viễn",
            "owning_body": world.stttt.pk,
            "permanent": "on",
        },
    )
    record = WorkRecord.objects.get(code="HS-VV")
    assert response.status_code == 302
    assert record.retention_years is None and record.retention_label == "Vĩnh viễn"


def test_the_form_asks_for_years_or_permanent(world):
    client = _client(world.clerk)
    response = client.post(
        reverse("documents:record_open"),
        {"code": "HS-X", "name": "Thiếu thời hạn", "owning_body": world.stttt.pk},
    )
    assert response.status_code == 400
    assert "Nhập số năm bảo quản, hoặc chọn vĩnh viễn." in response.content.decode()
    assert not WorkRecord.objects.exists()


def test_a_plain_member_cannot_open_a_record_for_the_body(world):
    client = _client(world.member)
    response = client.post(
        reverse("documents:record_open"),
        {"code": "HS-M", "name": "Không được", "owning_body": world.stttt.pk, "retention_years": 5},
    )
    assert response.status_code == 400
    assert not WorkRecord.objects.exists()


def test_adding_a_document_then_closing_makes_the_record_read_only(world, record, make_document):
    document = make_document(abstract="Kế hoạch chuyển đổi số")
    client = _client(world.clerk)
    page = client.get(reverse("documents:record_detail", args=[record.pk]), {"q": "ke hoach"})
    assert "Kế hoạch chuyển đổi số" in page.content.decode()
    client.post(reverse("documents:record_add", args=[record.pk]), {"document": document.pk})
    assert list(record.documents.all()) == [document]
    client.post(reverse("documents:record_close", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == WorkRecordStatus.CLOSED
    page = client.get(reverse("documents:record_detail", args=[record.pk])).content.decode()
    assert "Đóng hồ sơ</button>" not in page and "Thêm</button>" not in page
    other = make_document(number="99")
    response = client.post(
        reverse("documents:record_add", args=[record.pk]), {"document": other.pk}, follow=True
    )
    assert "đã đóng" in response.content.decode()
    assert list(record.documents.all()) == [document]


def test_the_record_hides_documents_the_reader_is_not_cleared_for(world, record, make_document):
    secret = make_document(abstract="Tài liệu mật về nhân sự", confidentiality=Clearance.SECRET)
    record.documents.add(secret)
    page = _client(world.member).get(reverse("documents:record_detail", args=[record.pk]))
    assert page.status_code == 200
    assert "Tài liệu mật về nhân sự" not in page.content.decode()


def test_an_outsider_sees_no_record_and_cannot_change_one(world, record, make_document):
    client = _client(world.outsider)
    assert record.code not in client.get(reverse("documents:record_list")).content.decode()
    assert client.get(reverse("documents:record_detail", args=[record.pk])).status_code == 404
    assert client.post(reverse("documents:record_close", args=[record.pk])).status_code == 404
    add = client.post(reverse("documents:record_add", args=[record.pk]), {"document": "x"})
    assert add.status_code == 404
    record.refresh_from_db()
    assert record.status == WorkRecordStatus.OPEN


def test_record_list_queries_do_not_grow_with_records(world, django_assert_max_num_queries):
    for number in range(15):
        work_record_open(
            actor=world.clerk,
            code=f"HS-{number}",
            name=f"Hồ sơ {number}",
            owning_body=world.stttt,
            retention_years=5,
        )
    client = _client(world.clerk)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("documents:record_list"))
    assert response.status_code == 200 and "HS-14" in response.content.decode()


def test_the_nav_links_to_records(world):
    page = _client(world.member).get(reverse("documents:list")).content.decode()
    assert reverse("documents:record_list") in page
