"""Documents, immutable versions, dedup by hash, work records — through the services."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction

from accounts.models import Clearance
from audit.models import AuditEvent
from documents.models import Blob, Document, DocumentVersion, WorkRecordStatus
from documents.services import (
    document_version_add,
    work_record_add,
    work_record_close,
    work_record_open,
)
from documents.storage import blob_name
from tests.documents.helpers import pdf_bytes, stored_files, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("doc_storage")]


def test_create_stores_first_version_under_its_sha256(world, make_document, doc_storage):
    document = make_document()
    version = document.versions.get()
    assert version.number == 1
    assert version.blob.mime == "application/pdf"
    assert version.blob.page_count == 1
    assert version.blob.storage_name == blob_name(version.blob.sha256)
    assert (doc_storage / version.blob.storage_name).read_bytes() == pdf_bytes()
    assert document.issuing_body == world.stttt
    assert document.number_symbol == "45/TTr-STTTT"


def test_versions_are_numbered_in_order_and_old_ones_kept(world, make_document):
    document = make_document()
    second = document_version_add(
        actor=world.clerk, document=document, upload=upload("v2.pdf", pdf_bytes(2)), note="Sửa"
    )
    third = document_version_add(
        actor=world.clerk, document=document, upload=upload("v3.pdf", pdf_bytes(3))
    )
    assert [second.number, third.number] == [2, 3]
    assert list(document.versions.values_list("number", "blob__page_count")) == [
        (3, 3),
        (2, 2),
        (1, 1),
    ]


def test_identical_bytes_are_stored_once_across_documents(world, make_document, doc_storage):
    first = make_document()
    second = make_document(number="46", upload=upload("ban-sao.pdf", pdf_bytes()))
    assert first.versions.get().blob_id == second.versions.get().blob_id
    assert Blob.objects.count() == 1
    assert len(stored_files(doc_storage)) == 1


def test_new_version_identical_to_current_is_refused(world, make_document):
    document = make_document()
    with pytest.raises(ValidationError, match="giống hệt phiên bản 1"):
        document_version_add(
            actor=world.clerk, document=document, upload=upload("lai.pdf", pdf_bytes())
        )
    assert document.versions.count() == 1


def test_a_version_row_cannot_be_updated(make_document):
    version = make_document().versions.get()
    version.note = "sửa lén"
    with pytest.raises(DatabaseError), transaction.atomic():
        version.save()
    blob = version.blob
    blob.sha256 = "0" * 64
    with pytest.raises(DatabaseError), transaction.atomic():
        blob.save()
    assert DocumentVersion.objects.get(pk=version.pk).note == ""


def test_every_write_is_audited_with_the_hash(world, make_document):
    document = make_document()
    version = document_version_add(
        actor=world.clerk, document=document, upload=upload("v2.pdf", pdf_bytes(2))
    )
    created = AuditEvent.objects.get(verb="document.created", object_id=str(document.pk))
    added = AuditEvent.objects.filter(verb="document.version_added").order_by("seq")
    assert created.details["sha256"] == document.versions.get(number=1).blob.sha256
    assert [event.details["sha256"] for event in added] == [
        document.versions.get(number=1).blob.sha256,
        version.blob.sha256,
    ]
    assert created.actor == world.clerk


def test_outsider_cannot_register_for_another_body(world, make_document):
    with pytest.raises(PermissionDenied):
        make_document(actor=world.outsider)
    assert not Document.objects.exists()


def test_outsider_cannot_add_a_version(world, make_document):
    document = make_document()
    with pytest.raises(PermissionDenied):
        document_version_add(
            actor=world.outsider, document=document, upload=upload("x.pdf", pdf_bytes(2))
        )


def test_cannot_register_above_ones_own_clearance(world, make_document):
    with pytest.raises(ValidationError) as caught:
        make_document(actor=world.member, confidentiality=Clearance.SECRET)
    assert "confidentiality" in caught.value.message_dict
    assert not Document.objects.exists()


def test_metadata_is_stored_in_nfc(world, make_document):
    decomposed = "Quye\u0302\u0301t đi\u0323nh"  # "Quyết định" typed as NFD
    document = make_document(abstract=decomposed, signer_name="Nguye\u0302\u0303n Va\u0306n An")
    assert document.abstract == "Quyết định"
    assert document.signer_name == "Nguyễn Văn An"


def test_work_record_open_add_close(world, make_document):
    document = make_document()
    record = work_record_open(
        actor=world.clerk,
        code="HS-2026-01",
        name="Hồ sơ họp không giấy",
        owning_body=world.stttt,
        retention_years=None,
    )
    assert record.retention_label == "Vĩnh viễn"
    work_record_add(actor=world.clerk, record=record, document=document)
    work_record_add(actor=world.clerk, record=record, document=document)  # idempotent
    assert list(record.documents.all()) == [document]
    closed = work_record_close(actor=world.clerk, record=record)
    assert closed.status == WorkRecordStatus.CLOSED and closed.closed_at is not None
    with pytest.raises(ValidationError, match="đã đóng"):
        work_record_add(actor=world.clerk, record=closed, document=make_document(number="47"))
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"work_record.opened", "work_record.document_added", "work_record.closed"} <= verbs
    assert AuditEvent.objects.filter(verb="work_record.document_added").count() == 1


def test_only_record_keepers_open_records(world):
    with pytest.raises(PermissionDenied):
        work_record_open(
            actor=world.member,
            code="HS-1",
            name="Hồ sơ",
            owning_body=world.stttt,
            retention_years=10,
        )
    with pytest.raises(PermissionDenied):
        work_record_open(
            actor=world.outsider,
            code="HS-1",
            name="Hồ sơ",
            owning_body=world.stttt,
            retention_years=10,
        )


def test_record_keeper_cannot_file_a_document_they_cannot_see(world, make_document):
    secret = make_document(actor=world.top, confidentiality=Clearance.TOP_SECRET)
    record = work_record_open(
        actor=world.clerk, code="HS-2", name="Hồ sơ", owning_body=world.stttt, retention_years=5
    )
    with pytest.raises(PermissionDenied):
        work_record_add(actor=world.clerk, record=record, document=secret)
