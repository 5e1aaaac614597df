"""Bad input not covered elsewhere (encrypted, thousands of signatures) and the stored-version
check page with its permission rule."""

from __future__ import annotations

import io
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from signing.models import ValidationReport, Verdict
from signing.validation.report import Outcome
from signing.validation.runner import validate_pdf
from signing.validation.services import version_validate
from tests.documents.helpers import upload
from tests.signing.helpers import blank_pdf as _make_pdf

pytestmark = pytest.mark.django_db


def _encrypted(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(_make_pdf()))
    writer.encrypt(user_password=user_password, owner_password="chu-so-huu", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_encrypted_pdf_without_its_password_is_refused_clearly(validation_settings):
    report = validate_pdf(_encrypted("bi-mat"), file_name="khoa.pdf")
    assert report.refusal is not None and report.refusal.code == "encrypted"
    assert "mật khẩu" in report.refusal.message
    assert report.outcome is Outcome.INDETERMINATE
    assert report.summary.startswith("Không kiểm tra được tệp")


def test_encrypted_pdf_with_an_empty_user_password_is_still_read(validation_settings):
    # "Protected" files that only restrict printing open without a password: not a refusal.
    report = validate_pdf(_encrypted(""), file_name="han-che-in.pdf")
    assert report.refusal is None
    assert report.signatures == []


def _many_signature_fields(count: int) -> bytes:
    """*count* filled signature fields (with junk values): a hostile file's way to make a
    validator work for ever."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    fields = ArrayObject()
    for index in range(count):
        value = writer._add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Sig"),
                    NameObject("/Filter"): NameObject("/Adobe.PPKLite"),
                    NameObject("/SubFilter"): NameObject("/adbe.pkcs7.detached"),
                    NameObject("/ByteRange"): ArrayObject([NumberObject(0)] * 4),
                    NameObject("/Contents"): ByteStringObject(b"\x00" * 8),
                }
            )
        )
        field = DictionaryObject(
            {
                NameObject("/FT"): NameObject("/Sig"),
                NameObject("/T"): TextStringObject(f"ChuKy{index}"),
                NameObject("/V"): value,
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
                NameObject("/P"): page.indirect_reference,
            }
        )
        fields.append(writer._add_object(field))
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): fields, NameObject("/SigFlags"): NumberObject(3)}
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_thousands_of_signatures_are_refused_within_the_time_limit(validation_settings, settings):
    settings.KYHOP_VALIDATION_TIMEOUT = 20
    data = _many_signature_fields(3000)
    started = time.monotonic()
    report = validate_pdf(data, file_name="nhieu-chu-ky.pdf")
    elapsed = time.monotonic() - started
    assert report.refusal is not None and report.refusal.code == "too_many_signatures"
    assert "3000 chữ ký" in report.refusal.message
    assert str(settings.KYHOP_VALIDATION_MAX_SIGNATURES) in report.refusal.message
    assert elapsed < settings.KYHOP_VALIDATION_TIMEOUT


# --- The stored-version check page ------------------------------------------------------------


@pytest.fixture
def stored(world, make_document, doc_storage, validation_settings, signed_lta):
    return make_document(upload=upload("quyet-dinh.pdf", signed_lta))


def test_a_reader_checks_a_stored_version_and_the_report_is_kept(world, stored):
    client = Client()
    client.force_login(world.member)
    url = reverse("validation:version", args=[stored.pk, 1])
    response = client.post(url)
    assert response.status_code == 303 and response["Location"] == url
    page = client.get(url)
    assert page.status_code == 200
    assert "Hợp lệ" in page.content.decode()
    report = ValidationReport.objects.get()
    assert report.version == stored.versions.get() and report.verdict == Verdict.PASSED
    as_json = client.get(url, {"format": "json"})
    assert as_json.json()["outcome"] == "passed"


def test_an_outsider_or_anonymous_visitor_gets_404_for_a_stored_version(
    world,
    stored,
):
    url = reverse("validation:version", args=[stored.pk, 1])
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(url).status_code == 404
    assert outsider.post(url).status_code == 404
    assert Client().get(url).status_code == 404
    assert Client().post(url).status_code == 404
    assert Client().get(reverse("validation:version", args=[stored.pk + 99, 1])).status_code == 404
    with pytest.raises(PermissionDenied):
        version_validate(actor=world.outsider, version=stored.versions.get())
    assert not ValidationReport.objects.exists()
