"""Large PDFs get a reading copy packed for range requests; the original stays the record."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from documents.models import ReadingCopy
from documents.services import document_create
from tests.bench import make_big_pdf


@pytest.fixture
def scanned(tmp_path) -> bytes:
    path = tmp_path / "scan.pdf"
    make_big_pdf.make(str(path), megabytes=3, pages=30)
    return path.read_bytes()


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_large_pdf_gets_a_reading_copy_with_the_same_pages(
    client, world, doc_storage, settings, scanned
):
    settings.KYHOP_READING_COPY_MIN_BYTES = 1024 * 1024
    document = document_create(
        actor=world.clerk,
        owning_body=world.stttt,
        doc_type="bao_cao",
        abstract="Hồ sơ quét",
        upload=SimpleUploadedFile("scan.pdf", scanned, "application/pdf"),
    )
    version = document.versions.get()
    copy = ReadingCopy.objects.get(source=version.blob)
    assert copy.blob.sha256 != version.blob.sha256
    client.force_login(world.clerk)
    original = _body(client.get(reverse("documents:version_file", args=[document.pk, 1])))
    assert original == scanned  # the document of record is untouched
    reading = _body(client.get(reverse("documents:version_reading_file", args=[document.pk, 1])))
    reader = PdfReader(io.BytesIO(reading))
    assert len(reader.pages) == 30
    assert "Trang 30" in reader.pages[29].extract_text()
    # The page dictionaries now sit in object streams, not scattered between the images.
    assert b"/ObjStm" in reading and b"/ObjStm" not in scanned


def test_small_pdf_is_read_as_it_is(client, world, doc_storage, scanned):
    document = document_create(
        actor=world.clerk,
        owning_body=world.stttt,
        doc_type="bao_cao",
        abstract="Hồ sơ nhỏ",
        upload=SimpleUploadedFile("scan.pdf", scanned, "application/pdf"),
    )
    assert not ReadingCopy.objects.exists()
    client.force_login(world.clerk)
    reading = _body(client.get(reverse("documents:version_reading_file", args=[document.pk, 1])))
    assert reading == scanned


def test_outsider_gets_no_reading_copy(client, world, doc_storage, settings, scanned):
    settings.KYHOP_READING_COPY_MIN_BYTES = 1024 * 1024
    document = document_create(
        actor=world.clerk,
        owning_body=world.stttt,
        doc_type="bao_cao",
        abstract="Hồ sơ quét",
        upload=SimpleUploadedFile("scan.pdf", scanned, "application/pdf"),
    )
    client.force_login(world.outsider)
    response = client.get(reverse("documents:version_reading_file", args=[document.pk, 1]))
    assert response.status_code == 404
