"""The report in the reader's language: the web page and the PDF in English when the
visitor chose English, Vietnamese by default, human dates in Vietnam time; the JSON unchanged
(Vietnamese sentences, ISO 8601); a stored version's page that only reads on GET."""

from __future__ import annotations

import copy
import re
import subprocess
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from signing.models import ValidationReport
from signing.pades import certcheck
from signing.validation import checks, texts
from signing.validation.presentation import localize
from signing.validation.report_pdf import report_html, report_pdf
from signing.validation.runner import validate_pdf
from tests.documents.helpers import upload

pytestmark = pytest.mark.django_db

HUMAN_TIME = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2} \(\+07:00\)")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _english(client: Client) -> Client:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())  # table cells wrap their lines


@pytest.fixture
def stored(world, make_document, doc_storage, validation_settings, signed_lta):
    return make_document(upload=upload("quyet-dinh.pdf", signed_lta))


@pytest.fixture
def lta_report(validation_settings, signed_lta) -> dict:
    return validate_pdf(signed_lta, file_name="quyet-dinh.pdf").as_json()


# --- The stored version's page: GET reads, POST checks ----------------------------------------


def _counts() -> tuple[int, int]:
    return ValidationReport.objects.count(), AuditEvent.objects.count()


def test_get_has_no_side_effect_and_post_checks_again(world, stored):
    client = Client()
    client.force_login(world.member)
    url = reverse("validation:version", args=[stored.pk, 1])
    before = _counts()

    page = client.get(url)  # never checked: a button, no report, nothing stored
    assert page.status_code == 200
    html = page.content.decode()
    assert 'method="post"' in html and "Kiểm tra chữ ký</button>" in html
    assert "validation-report" not in html
    assert client.get(url, {"format": "json"}).status_code == 404
    assert client.get(url, {"format": "pdf"}).status_code == 404
    assert _counts() == before

    response = client.post(url)
    assert response.status_code == 303 and response["Location"] == url
    after_first = _counts()
    assert after_first == (before[0] + 1, before[1] + 1)
    assert AuditEvent.objects.order_by("-seq").first().verb == "signature.validate"

    for _ in range(2):  # reading, as often as one likes, stores nothing
        html = client.get(url).content.decode()
        assert "Hợp lệ" in html and "Kiểm tra lại</button>" in html
        assert client.get(url, {"format": "json"}).json()["outcome"] == "passed"
    assert _counts() == after_first

    client.post(url)
    assert _counts() == (before[0] + 2, before[1] + 2)
    latest = ValidationReport.objects.order_by("-created_at", "-pk").first()
    shown = client.get(url, {"format": "json"}).json()
    assert shown["validated_at"] == latest.report["validated_at"]


def test_get_shows_the_latest_stored_report(world, stored, lta_report):
    version = stored.versions.get()
    older = copy.deepcopy(lta_report)
    older["file_name"] = "ban-cu.pdf"
    ValidationReport.objects.create(
        version=version, file_sha256=older["file_sha256"], verdict="passed", report=older
    )
    ValidationReport.objects.create(
        version=version, file_sha256=lta_report["file_sha256"], verdict="passed", report=lta_report
    )
    client = Client()
    client.force_login(world.member)
    html = client.get(reverse("validation:version", args=[stored.pk, 1])).content.decode()
    assert "quyet-dinh.pdf" in html and "ban-cu.pdf" not in html


# --- Languages -----------------------------------------------------------------------------


def test_version_page_in_english_with_human_dates(world, stored):
    client = _english(Client())
    client.force_login(world.member)
    url = reverse("validation:version", args=[stored.pk, 1])
    html = client.get(url).content.decode()
    assert "Check signatures</button>" in html
    client.post(url)
    html = unescape(client.get(url).content.decode())
    assert '<html lang="en">' in html
    for english in (
        "Digital signature check",
        "Valid",
        "Integrity of the signed data",
        "The signed data is intact and the signature value matches the signer's certificate.",
        "Certificate chain to a trusted root",
        "PAdES B-LTA: with a document time-stamp as well, for long-term archiving.",
        "All signatures (1) are valid",
        "Check again</button>",
        "Download the PDF report",
    ):
        assert english in html, english
    for vietnamese in ("Hợp lệ", "Toàn vẹn dữ liệu", "Chữ ký có dấu thời gian", "Người ký"):
        assert vietnamese not in html, vietnamese
    assert HUMAN_TIME.search(html)
    assert not ISO_TIME.search(html)


def test_upload_page_follows_accept_language(client, validation_settings, signed_lta):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("validation:upload"),
        {"file": SimpleUploadedFile("a.pdf", signed_lta)},
        headers={"accept-language": "en"},
    )
    html = response.content.decode()
    assert "Signature time-stamp" in html and "Dấu thời gian của chữ ký" not in html
    assert "The signature has a valid time-stamp at " in html
    vietnamese = client.post(
        reverse("validation:upload"), {"file": SimpleUploadedFile("a.pdf", signed_lta)}
    ).content.decode()
    assert "Dấu thời gian của chữ ký" in vietnamese and "Signature time-stamp" not in vietnamese
    assert HUMAN_TIME.search(vietnamese) and not ISO_TIME.search(vietnamese)


def test_json_keeps_vietnamese_sentences_and_iso_times(world, stored):
    client = _english(Client())
    client.force_login(world.member)
    url = reverse("validation:version", args=[stored.pk, 1])
    client.post(url)
    data = client.get(url, {"format": "json"}).json()
    assert data["outcome_label"] == "Hợp lệ"
    assert datetime.fromisoformat(data["validated_at"]).tzinfo is not None
    integrity = next(c for c in data["signatures"][0]["checks"] if c["code"] == "integrity")
    assert integrity["message_id"] == "integrity.intact" and integrity["params"] == {}
    assert integrity["message"] == texts.render("integrity.intact")
    timestamp = next(c for c in data["signatures"][0]["checks"] if c["code"] == "timestamp")
    assert ISO_TIME.match(timestamp["params"]["when"]["time"])
    assert HUMAN_TIME.search(timestamp["message"])  # the stored sentence reads as a person would


def test_pdf_report_in_english_and_in_vietnamese(world, stored, tmp_path):
    client = _english(Client())
    client.force_login(world.member)
    url = reverse("validation:version", args=[stored.pk, 1])
    client.post(url)
    english = _pdf_text(client.get(url, {"format": "pdf"}).content, tmp_path)
    assert "Verdict: Valid" in english
    assert "Integrity of the signed data" in english
    assert "Page 1/" in english
    assert "Kết luận" not in english and "Toàn vẹn" not in english
    assert HUMAN_TIME.search(english) and not ISO_TIME.search(english)

    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "vi"
    vietnamese = _pdf_text(client.get(url, {"format": "pdf"}).content, tmp_path)
    assert "Kết luận: Hợp lệ" in vietnamese and "Toàn vẹn dữ liệu đã ký" in vietnamese
    assert "Verdict" not in vietnamese
    assert HUMAN_TIME.search(vietnamese)


def test_report_html_follows_the_active_language(lta_report):
    with translation.override("en"):
        html = report_html(lta_report, sealed=True)
    assert '<html lang="en">' in html and "digital seal" in html
    html = report_html(lta_report, sealed=False)
    assert '<html lang="vi">' in html and "Báo cáo do hệ thống KyHop lập tự động." in html


def test_report_pdf_without_a_request_is_vietnamese(lta_report, tmp_path):
    assert "Kết luận: Hợp lệ" in _pdf_text(report_pdf(lta_report), tmp_path)


# --- Stored reports and parameters -----------------------------------------------------------


def test_a_report_stored_before_message_ids_keeps_its_sentences(lta_report):
    old = copy.deepcopy(lta_report)
    for item in old["signatures"] + old["timestamps"]:
        for check in item["checks"]:
            del check["message_id"], check["params"]
            check["message"] = f"Câu cũ ({check['code']})"
    with translation.override("en"):
        shown = localize(old)
    (signature,) = shown["signatures"]
    integrity = next(c for c in signature["checks"] if c["code"] == "integrity")
    assert integrity["message"] == "Câu cũ (integrity)"  # no id: the stored sentence
    assert integrity["title"] == "Integrity of the signed data"  # the title is keyed by code
    assert integrity["status_label"] == "Passed"
    assert shown["outcome_label"] == "Valid"
    assert shown["summary"].startswith("All signatures (1) are valid")


def test_failed_reasons_and_later_changes_are_translated(lta_report):
    data = copy.deepcopy(lta_report)
    signature = data["signatures"][0]
    signature["outcome"] = data["outcome"] = "failed"
    forbidden = {"revision": 3, "kinds": ["annotation", "content"], "allowed": False}
    signature["later_changes"] = [{**forbidden, "description": "mô tả cũ"}]
    detail = checks._change_items([checks.LaterChange(**forbidden, description="")])
    signature["checks"].append(
        {
            "code": "changes",
            "title": "Thay đổi sau khi ký",
            "status": "failed",
            "message": texts.render("changes.forbidden", {"detail": detail}),
            "message_id": "changes.forbidden",
            "params": {"detail": detail},
        }
    )
    shown = localize(data)
    assert (
        "lần cập nhật 3: thêm hoặc sửa chú thích (annotation) trên trang; sửa nội dung"
        in (shown["reasons"][0])
    )
    with translation.override("en"):
        shown = localize(data)
    assert shown["reasons"] == [
        f"Signature “{signature['field_name']}” ({signature['signer']['common_name']}): "
        "The document was changed after signing in a way the signature does not allow "
        "(update 3: annotations added or changed on a page; content, pages or document "
        "structure changed). What is displayed now may differ from what the signer signed "
        "(incremental saving attack, shadow attack or a breach of the certification level)."
    ]
    assert shown["signatures"][0]["later_changes"][0]["description"] == (
        "annotations added or changed on a page; content, pages or document structure changed"
    )
    assert shown["summary"].startswith("The document is NOT valid")


def test_refusals_are_translated(validation_settings):
    data = validate_pdf(b"%PDF-1.7\n" + b"\x00" * 64, file_name="hong.pdf").as_json()
    assert data["refusal"]["code"] == "unreadable"
    with translation.override("en"):
        shown = localize(data)
    assert shown["summary"].startswith("The file could not be checked: The PDF")
    assert shown["refusal"]["message"] == shown["reasons"][0]
    assert data["summary"].startswith("Không kiểm tra được tệp: ")


def test_human_time_is_vietnam_time():
    moment = datetime(2026, 11, 27, 7, 5, 9, tzinfo=UTC)
    assert texts.human_time(moment.isoformat()) == "27/11/2026 14:05:09 (+07:00)"
    assert texts.human_day(moment) == "27/11/2026"
    assert texts.human_time(None) == ""


def test_a_translation_with_wrong_placeholders_falls_back_to_the_source():
    def broken(message: str) -> str:
        return "Key {nonsense}" if "{key}" in message else message

    rendered = texts.render(
        "algorithms.ok",
        {"key": "RSA 3072 bit", "digest": "SHA256", "mechanism": "x"},
        translate=broken,
    )
    assert rendered.startswith("Khóa RSA 3072 bit, hàm băm SHA256")


# --- The catalogue covers every sentence of the report -----------------------------------------


def _placeholders(message: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", message))


def test_every_report_sentence_has_an_english_translation():
    sources = [
        *texts.MESSAGES.values(),
        *texts.TITLES.values(),
        *texts.OUTCOME_LABELS.values(),
        *texts.STATUS_LABELS.values(),
        *texts.NOTES.values(),
    ]
    untranslated = []
    with translation.override("en"):
        for source in sources:
            if source in ("{text}", "{problems}"):
                continue
            english = translation.gettext(source)
            if english == source:
                untranslated.append(source)
            assert _placeholders(english) == _placeholders(source), source
    assert untranslated == []


# --- certcheck's findings, told again by id, with its wording --------------------------------


def _certificate(
    *, bits: int = 2048, digest=hashes.SHA256, days: tuple[int, int] = (-1, 30), usage=True
) -> asn1_x509.Certificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Người ký thử")])
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + timedelta(days=days[0]))
        .not_valid_after(now + timedelta(days=days[1]))
    )
    if usage is not None:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=usage,
                content_commitment=False,
                key_encipherment=not usage,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    cert = builder.sign(key, digest())
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


@pytest.mark.parametrize(
    ("options", "rule", "message_id"),
    [
        ({"days": (-30, -2)}, certcheck._validity, "cert.expired"),
        ({"days": (2, 30)}, certcheck._validity, "cert.not_yet_valid"),
        ({"usage": None}, certcheck._key_usage, "cert.no_key_usage"),
        ({"usage": False}, certcheck._key_usage, "cert.not_for_signing"),
        ({"bits": 1024}, certcheck._key_strength, "cert.rsa_short"),
        ({"digest": hashes.SHA224}, certcheck._signature_hash, "cert.weak_hash"),
    ],
)
def test_certificate_findings_keep_certchecks_wording(options, rule, message_id):
    cert = _certificate(**options)
    at = datetime.now(UTC)
    said = rule(certcheck.as_cryptography(cert), at)
    (found,) = checks._certificate_problems((rule,), cert, at)
    assert found["id"] == message_id
    assert texts.render(found["id"], found["params"]) == said
    with translation.override("en"):
        english = texts.render(found["id"], found["params"], translate=translation.gettext)
    assert english != said and english.startswith("The ")
