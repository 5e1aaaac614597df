"""The PDF report: Vietnamese, PDF/A, sealed by the validation service's own certificate (never
an administrative body's seal), its seal validating with the same engine, and text taken from
the uploaded file bounded and marked."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.validation.report import CheckStatus, Outcome
from signing.validation.report_pdf import SEAL_FIELD, report_pdf
from signing.validation.runner import validate_pdf

pytestmark = pytest.mark.django_db


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())  # line breaks fall where the layout puts them


def test_report_pdf_states_the_verdict_and_its_own_seal_validates(
    validation_settings, settings, signed_lta, tmp_path
):
    report = validate_pdf(signed_lta, file_name="quyet-dinh.pdf")
    pdf = report_pdf(report.as_json())
    text = _text(pdf, tmp_path)
    assert "Kết luận: Hợp lệ" in text
    assert "không phải văn bản hành chính" in text
    assert "«quyet-dinh.pdf»" in text
    assert report.signatures[0].signer.common_name in text
    catalog = PdfFileReader(io.BytesIO(pdf)).root
    assert b"pdfaid:part" in catalog["/Metadata"].data  # PDF/A identification (XMP)
    assert "/OutputIntents" in catalog

    settings.KYHOP_VALIDATION_FETCH = True  # the seal is B-B: its revocation status is fetched
    sealed = validate_pdf(pdf, file_name="bao-cao.pdf")
    (seal,) = sealed.signatures
    assert seal.field_name == SEAL_FIELD
    # The validation service's own certificate, not the People's Committee's seal.
    assert seal.signer.common_name == "Dịch vụ kiểm tra chữ ký — KyHop"
    assert "Ủy ban" not in seal.signer.organisation
    assert {c.code: c.status for c in seal.checks}["integrity"] is CheckStatus.PASSED
    assert sealed.outcome is Outcome.PASSED, sealed.reasons


def test_report_is_unsealed_in_production_without_a_configured_seal(
    validation_settings, settings, signed_lta
):
    settings.PRODUCTION = True
    pdf = report_pdf(validate_pdf(signed_lta).as_json())
    assert validate_pdf(pdf).signatures == []


def test_download_link_gives_the_pdf_of_the_last_upload(client, validation_settings, signed_lta):
    url = reverse("validation:upload")
    assert client.get(url + "?format=pdf").status_code == 404  # nothing checked yet
    page = client.post(url, {"file": SimpleUploadedFile("a.pdf", signed_lta)})
    assert "?format=pdf" in page.text
    response = client.get(url + "?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")


def test_verify_pdf_writes_the_pdf_report(validation_settings, signed_lta, tmp_path, capsys):
    source, target = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(signed_lta)
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_pdf", str(source), "--pdf", str(target))
    assert exit_info.value.code == 0
    assert "Kết luận: Hợp lệ" in _text(target.read_bytes(), tmp_path)


def test_uploader_text_is_bounded_and_stripped_of_control_characters(
    validation_settings, signed_lta, tmp_path
):
    # A crafted name: a right-to-left override, a line break posing as a sentence of the
    # report, and a length meant to push the real content off the page.
    crafted = "x\u202eFDP.exe\nKết luận: Hợp lệ " + "A" * 500 + ".pdf"
    report = validate_pdf(signed_lta, file_name=crafted)
    text = _text(report_pdf(report.as_json()), tmp_path)
    assert "\u202e" not in text
    assert "«x FDP.exe Kết luận: Hợp lệ AAAA" in text  # marked as the file's, on one line
    assert "A" * 130 not in text.replace(" ", "")  # bounded
    assert "A…»" in text.replace(" ", "")
