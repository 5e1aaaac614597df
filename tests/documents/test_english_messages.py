"""A refused upload is explained in the visitor's language (Vietnamese by default), numbers
written the way that language writes them; a successful one says so the same way."""

from __future__ import annotations

from html import unescape

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from documents.models import Document
from tests.documents.helpers import encrypted_pdf_bytes, pdf_bytes, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("doc_storage")]


def _register(world, language: str | None, name: str, data: bytes):
    client = Client()
    client.force_login(world.clerk)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(
        reverse("documents:create"),
        {
            "owning_body": world.stttt.pk,
            "doc_type": "to_trinh",
            "abstract": "Về việc đầu tư",
            "confidentiality": "0",
            "status": "draft",
            "upload": upload(name, data),
        },
        follow=True,
    )
    return response.status_code, unescape(response.content.decode())


def test_an_encrypted_pdf_is_refused_in_english(world):
    status, page = _register(world, "en", "khoa.pdf", encrypted_pdf_bytes())
    assert status == 400
    assert (
        "The file “khoa.pdf” is encrypted or password-protected; please upload an unencrypted "
        "copy." in page
    )
    assert "mã hoá" not in page
    assert not Document.objects.exists()


def test_a_file_of_another_kind_is_refused_in_english(world):
    status, page = _register(world, "en", "anh.exe", b"MZ" + b"\x00" * 10)
    assert status == 400
    assert (
        "The file “anh.exe” was not accepted: only .pdf, .docx, .xlsx, .odt files are accepted."
        in page
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "The file “lon.pdf” is 1.5 MB, over the 1.0 MB limit."),
        (None, "Tệp “lon.pdf” dung lượng 1,5 MB, vượt giới hạn 1,0 MB."),
    ],
)
def test_sizes_are_written_the_languages_way(world, settings, language, expected):
    settings.KYHOP_UPLOAD_MAX_BYTES = 1024 * 1024
    data = b"%PDF-1.7\n" + b"0" * (3 * 512 * 1024 - 9)  # 1.5 MB; refused before it is read
    status, page = _register(world, language, "lon.pdf", data)
    assert status == 400
    assert expected in page


def test_a_registered_document_is_confirmed_in_english(world):
    status, page = _register(world, "en", "to-trinh.pdf", pdf_bytes())
    assert status == 200
    assert Document.objects.count() == 1
    assert "Document registered." in page
