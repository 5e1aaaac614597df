"""Incoming documents: validated when registered, the report kept with the
version, the verdict shown in the document list and on the document's page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents.models import Document, DocumentStatus
from signing.models import ValidationReport, Verdict
from tests.documents.helpers import World, pdf_bytes, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("doc_storage")]


def _register(client: Client, world: World, data: bytes, *, status: str) -> Document:
    response = client.post(
        reverse("documents:create"),
        {
            "owning_body": world.stttt.pk,
            "doc_type": "cong_van",
            "number": "123",
            "symbol": "UBND-VP",
            "abstract": "Về việc triển khai họp không giấy",
            "confidentiality": "0",
            "status": status,
            "upload": upload("cong-van-den.pdf", data),
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return Document.objects.latest("pk")


def test_registering_an_incoming_pdf_validates_it_and_shows_the_verdict(
    world,
    validation_settings,
    signed_lta,
    django_capture_on_commit_callbacks,
):
    client = Client()
    client.force_login(world.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        document = _register(client, world, signed_lta, status=DocumentStatus.INCOMING)
    version = document.versions.get()
    report = ValidationReport.objects.get(version=version)
    assert report.verdict == Verdict.PASSED
    assert report.created_by == world.clerk
    assert report.report["signatures"][0]["pades_level"] == "B-LTA"

    listing = client.get(reverse("documents:list")).content.decode()
    assert "Kiểm tra chữ ký" in listing and "Hợp lệ" in listing
    detail = client.get(reverse("documents:detail", args=[document.pk])).content.decode()
    assert "Hợp lệ" in detail
    assert reverse("validation:version", args=[document.pk, 1]) in detail


def test_a_draft_is_not_validated_on_registration(
    world,
    validation_settings,
    signed_lta,
    django_capture_on_commit_callbacks,
):
    client = Client()
    client.force_login(world.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        _register(client, world, signed_lta, status=DocumentStatus.DRAFT)
    assert not ValidationReport.objects.exists()


def _list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("documents:list")).status_code == 200
    return len(queries)


def test_the_verdict_column_costs_no_query_per_row(
    world,
    make_document,
    validation_settings,
    django_capture_on_commit_callbacks,
):
    client = Client()
    client.force_login(world.clerk)
    incoming = {"status": DocumentStatus.INCOMING}
    with django_capture_on_commit_callbacks(execute=True):
        make_document(number="1", **incoming)
    one = _list_queries(client)
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(2, 7):
            make_document(
                number=str(number),
                upload=upload(f"{number}.pdf", pdf_bytes(1, str(number))),
                **incoming,
            )
    assert ValidationReport.objects.count() == 6  # unsigned: each validated, "indeterminate"
    assert _list_queries(client) == one
    assert "Chưa xác định" in client.get(reverse("documents:list")).content.decode()
