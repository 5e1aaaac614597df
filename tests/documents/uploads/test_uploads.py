"""Bad files are refused with a clear Vietnamese message and nothing is stored; office files
are converted to PDF with the original kept."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from audit.models import AuditEvent
from documents.models import Blob, Document, DocumentVersion
from documents.services import document_version_add
from tests.documents.helpers import docx_bytes, encrypted_pdf_bytes, pdf_bytes, stored_files, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("doc_storage")]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _refused(make_document, name: str, data: bytes, doc_storage) -> str:
    with pytest.raises(ValidationError) as caught:
        make_document(upload=upload(name, data))
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()
    assert not Blob.objects.exists()
    assert stored_files(doc_storage) == []
    assert not AuditEvent.objects.filter(verb__startswith="document.").exists()
    return " ".join(caught.value.messages)


def test_encrypted_pdf_is_refused(make_document, doc_storage):
    message = _refused(make_document, "mat-khau.pdf", encrypted_pdf_bytes(), doc_storage)
    assert "mã hoá" in message


def test_truncated_pdf_is_refused(make_document, doc_storage):
    data = pdf_bytes(3)
    message = _refused(make_document, "cut.pdf", data[: len(data) // 2], doc_storage)
    assert "cắt cụt" in message


def test_pdf_with_broken_structure_is_refused(make_document, doc_storage):
    data = pdf_bytes(2).replace(b"/Pages", b"/Pagez")
    message = _refused(make_document, "hong.pdf", data, doc_storage)
    assert "bị hỏng" in message


def test_png_named_pdf_is_refused(make_document, doc_storage):
    message = _refused(make_document, "anh.pdf", PNG, doc_storage)
    assert "nội dung không phải tệp PDF" in message


def test_pdf_named_docx_is_refused(make_document, doc_storage):
    message = _refused(make_document, "to-trinh.docx", pdf_bytes(), doc_storage)
    assert "không phải tệp Word" in message


def test_empty_file_is_refused(make_document, doc_storage):
    message = _refused(make_document, "rong.pdf", b"", doc_storage)
    assert "rỗng" in message


def test_unknown_extension_is_refused(make_document, doc_storage):
    message = _refused(make_document, "virus.exe", b"MZ" + b"\x00" * 10, doc_storage)
    assert "chỉ nhận các định dạng" in message


def test_file_over_the_size_limit_is_refused(make_document, doc_storage, settings):
    settings.KYHOP_UPLOAD_MAX_BYTES = 1000
    message = _refused(make_document, "lon.pdf", pdf_bytes(3), doc_storage)
    assert "vượt giới hạn" in message


def test_file_over_the_page_limit_is_refused(make_document, doc_storage, settings):
    settings.KYHOP_UPLOAD_MAX_PAGES = 2
    message = _refused(make_document, "dai.pdf", pdf_bytes(3), doc_storage)
    assert "3 trang" in message


def test_zip_that_is_no_office_file_is_refused(make_document, doc_storage):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    message = _refused(make_document, "gia.docx", buffer.getvalue(), doc_storage)
    assert "không phải tệp Word" in message


def test_bad_new_version_leaves_the_document_as_it_was(world, make_document, doc_storage):
    document = make_document()
    files_before = stored_files(doc_storage)
    with pytest.raises(ValidationError):
        document_version_add(
            actor=world.clerk, document=document, upload=upload("v2.pdf", encrypted_pdf_bytes())
        )
    assert document.versions.count() == 1
    assert Blob.objects.count() == 1
    assert stored_files(doc_storage) == files_before


def test_docx_is_converted_to_pdf_and_the_original_kept(world, make_document, doc_storage):
    original = docx_bytes("Kế hoạch chuyển đổi số năm 2026")
    document = make_document(upload=upload("ke-hoach.docx", original), doc_type="ke_hoach")
    version = document.versions.select_related("blob", "original").get()
    assert version.blob.mime == "application/pdf"
    assert version.blob.page_count == 1
    assert version.original is not None
    assert version.original.mime.endswith("wordprocessingml.document")
    assert (doc_storage / version.original.storage_name).read_bytes() == original
    pdf = PdfReader(doc_storage / version.blob.storage_name)
    assert "Kế hoạch chuyển đổi số" in pdf.pages[0].extract_text()
    assert "ke hoach chuyen doi so" in document.search_text
    assert version.file_name == "ke-hoach.docx"
