"""Outputs and bad input: the web page (anonymous users too), JSON, the command, refusals."""

from __future__ import annotations

import json
import logging
import subprocess
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from signing.validation.report import Outcome
from signing.validation.runner import validate_pdf

pytestmark = pytest.mark.django_db


def _upload(client, data: bytes, name: str = "van-ban.pdf", **extra):
    return client.post(
        reverse("validation:upload") + extra.pop("query", ""),
        {"file": SimpleUploadedFile(name, data, content_type="application/pdf")},
        **extra,
    )


def test_anonymous_visitor_uploads_and_reads_the_verdict(client, validation_settings, signed_lta):
    page = client.get(reverse("validation:upload"))
    assert page.status_code == 200 and "Kiểm tra chữ ký" in page.text
    response = _upload(client, signed_lta)
    assert response.status_code == 200
    assert "Hợp lệ" in response.text and "Toàn vẹn dữ liệu đã ký" in response.text


def test_json_answer(client, validation_settings, signed_lta):
    response = _upload(client, signed_lta, query="?format=json")
    data = response.json()
    assert data["outcome"] == "passed" and data["schema_version"] == 2


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"Hello, this is not a PDF", "not_pdf"),
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", "unreadable"),
    ],
)
def test_bad_input_gets_a_clear_refusal_never_a_500(client, validation_settings, data, code):
    report = validate_pdf(data)
    assert report.refusal is not None and report.refusal.code == code
    assert report.outcome is Outcome.INDETERMINATE
    response = _upload(client, data or b"\x00")
    assert response.status_code in (200, 400)


def test_truncated_signed_file_is_refused_or_failed(validation_settings, signed_lta):
    report = validate_pdf(signed_lta[: len(signed_lta) // 2])
    assert report.outcome is not Outcome.PASSED
    assert report.reasons


def test_circular_references_do_not_hang(validation_settings):
    circular = (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R /Size 3 >>\n%%EOF\n"
    )
    report = validate_pdf(circular)
    assert report.outcome is not Outcome.PASSED


def test_the_time_limit_kills_a_slow_validation(validation_settings, settings, signed_lta):
    # A deflate bomb in an object stream: decompressing it takes longer than the limit.
    settings.KYHOP_VALIDATION_TIMEOUT = 1
    bomb = zlib.compress(b"0" * (400 * 1024 * 1024), 9)
    data = (
        b"%PDF-1.5\n1 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
        + str(len(bomb)).encode()
        + b" >>\nstream\n"
        + bomb
        + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )
    report = validate_pdf(data)
    assert report.outcome is not Outcome.PASSED
    assert report.refusal is not None


def test_oversized_file_is_refused(validation_settings, settings, signed_lta):
    settings.KYHOP_VALIDATION_MAX_BYTES = 1000
    report = validate_pdf(signed_lta)
    assert report.refusal.code == "too_large"


@pytest.mark.parametrize(("tamper", "code"), [(False, 0), (True, 1)])
def test_verify_pdf_exit_codes(validation_settings, signed_lta, tmp_path, capsys, tamper, code):
    from tests.signing.validation import attacks

    path = tmp_path / "x.pdf"
    path.write_bytes(attacks.incremental_content_replaced(signed_lta) if tamper else signed_lta)
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_pdf", str(path), "--json")
    assert exit_info.value.code == code
    assert json.loads(capsys.readouterr().out)["outcome"] in ("passed", "failed")


def test_verify_pdf_exit_code_3_for_unreadable(validation_settings, tmp_path):
    path = tmp_path / "x.pdf"
    path.write_bytes(b"not a pdf")
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_pdf", str(path))
    assert exit_info.value.code == 3


def test_pdfsig_reports_our_signatures_valid(signed_lta, tmp_path, pdfsig_verdicts):
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_lta)
    verdicts = pdfsig_verdicts(path)
    # pdfsig lists the document time-stamp too but cannot check it: only our signature counts.
    assert verdicts[0] == "Signature is Valid."
    assert subprocess.run(["pdfsig", "-v"], capture_output=True, check=False).returncode == 0


def test_verify_pdf_text_in_vietnamese_by_default_and_in_english_on_request(
    validation_settings, signed_lta, tmp_path, capsys
):
    path = tmp_path / "to-trinh.pdf"
    path.write_bytes(signed_lta)
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_pdf", str(path))
    assert exit_info.value.code == 0
    vietnamese = capsys.readouterr().out
    assert "to-trinh.pdf: HỢP LỆ" in vietnamese
    assert "Chữ ký “" in vietnamese
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_pdf", str(path), "--language", "en")
    assert exit_info.value.code == 0
    english = capsys.readouterr().out
    assert "to-trinh.pdf: VALID" in english
    assert "Signature “" in english
    assert "Hợp lệ" not in english and "Chữ ký" not in english
    # The same checks in both, with status words of each language and no English codes.
    statuses = [
        line.split("]")[0][3:] for line in vietnamese.splitlines() if line.startswith("  [")
    ]
    english_statuses = [
        line.split("]")[0][3:] for line in english.splitlines() if line.startswith("  [")
    ]
    assert len(statuses) == len(english_statuses) and "Đạt" in statuses
    for word in ("passed", "failed", "info", "warning", "indeterminate"):
        assert word not in vietnamese.lower().split()
        assert f"[{word}]" not in vietnamese
    assert "— Hợp lệ" in vietnamese


def test_sign_and_verify_commands_print_no_library_log_lines(
    validation_settings, test_pki, tmp_path, monkeypatch, caplog, capsys
):
    from tests.signing.helpers import blank_pdf as _make_pdf
    from tests.signing.validation.helpers import first_identity

    source, target = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(_make_pdf())
    monkeypatch.setenv("KYHOP_SIGN_PIN", test_pki.passphrase)
    with caplog.at_level(logging.DEBUG):
        # B-LT: a time-stamp and OCSP/CRL fetches, each of which pyHanko logs at INFO.
        call_command(
            "sign_pdf",
            str(source),
            str(target),
            "--identity",
            first_identity(test_pki),
            "--level",
            "B-LT",
        )
        with pytest.raises(SystemExit):
            call_command("verify_pdf", str(target))
    libraries = [
        r
        for r in caplog.records
        if r.name.split(".")[0] in ("pyhanko", "pyhanko_certvalidator", "aiohttp")
    ]
    assert libraries == [], [r.getMessage() for r in libraries]
    assert target.exists() and "HỢP LỆ" in capsys.readouterr().out
