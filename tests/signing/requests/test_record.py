"""The completion record: every step from the audit chain, with its certificate and the
document's hash after it, on the request page and as a Vietnamese PDF."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess

import pytest
from django.conf import settings as configured
from pypdf import PdfReader

from audit.models import AuditEvent
from signing.models import SigningIdentity, StepKind, ValidationReport
from signing.requests.record import SEAL_FIELD, request_record
from signing.selectors import waiting_for
from signing.services import (
    AssigneeSpec,
    StepSpec,
    request_create,
    request_number_assign,
    request_send,
    step_sign,
)
from signing.validation.report import CheckStatus
from signing.validation.runner import validate_pdf
from signing.validation.texts import OUTCOME_LABELS
from tests.audit.helpers import audit_tamper
from tests.signing.helpers import register, to_trinh

pytestmark = pytest.mark.django_db


def _completed(world, capture):
    pdf, area = to_trinh()
    request = request_create(
        actor=world.clerk,
        version=register(world, pdf),
        steps=[
            StepSpec(StepKind.INITIAL, (AssigneeSpec(user=world.drafter1),)),
            StepSpec(StepKind.MAIN, (AssigneeSpec(user=world.chair, placement=area),)),
        ],
        level="B-B",
    )
    with capture(execute=True):
        request_send(actor=world.clerk, request=request)
    for user in (world.drafter1, world.chair):
        assignee = waiting_for(user).get(step__request=request)
        with capture(execute=True):
            step_sign(actor=user, assignee=assignee, passphrase=configured.KYHOP_PKI_PASSPHRASE)
    with capture(execute=True):
        request_number_assign(actor=world.clerk, request=request, issued_on=dt.date(2026, 2, 5))
    request.refresh_from_db()
    return request


def test_the_record_lists_each_step_with_certificate_and_hash(
    province, client, django_capture_on_commit_callbacks, tmp_path, settings
):
    request = _completed(province, django_capture_on_commit_callbacks)
    record = request_record(request)
    verbs = [line.verb for line in record.lines]
    assert verbs == [
        "signing.request_created",
        "signing.request_sent",
        "signing.step_initialled",
        "signing.step_signed",
        "signing.request_numbered",
        "signing.request_completed",
    ]
    assert record.intact
    chair_identity = SigningIdentity.objects.get(owner_user=province.chair)
    signed = record.lines[3]
    assert province.chair.full_name in signed.actor
    assert signed.certificate_serial == chair_identity.serial
    assert signed.certificate_subject == chair_identity.subject
    versions = {v.blob.sha256: v.number for v in request.document.versions.all()}
    # Each step names the document it produced: a real version of it, in order.
    produced = [versions[line.sha256] for line in record.lines[1:5]]
    assert produced == sorted(produced) and len(set(produced)) == 4
    assert record.lines[-1].sha256 == record.final_sha256

    client.force_login(province.clerk)
    page = client.get(f"/ky-so/yeu-cau/{request.pk}/").content.decode()
    assert "Hồ sơ hoàn thành" in page and "Mọi mục khớp với chuỗi nhật ký." in page
    assert chair_identity.serial in page and record.final_sha256 in page
    assert "Số 01/TTr-UBND, ngày 05/02/2026" in page
    response = client.get(f"/ky-so/yeu-cau/{request.pk}/ho-so-hoan-thanh.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "record.pdf"
    path.write_bytes(response.content)
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    flat = text.replace("\n", " ")
    assert "HỒ SƠ HOÀN THÀNH TRÌNH KÝ" in flat
    assert "Ký chính (người có thẩm quyền)" in flat
    assert chair_identity.serial in flat.replace(" ", "")
    assert "mọi mục khớp" in flat
    # It renders (poppler reads it as a PDF with at least one page).
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert "Pages:" in info.stdout
    # Sealed by the platform (not by a body), and the seal holds: an edited copy would not.
    assert "có chữ ký số (con dấu số) của hệ thống" in flat
    settings.KYHOP_VALIDATION_FETCH = True  # the seal is B-B: its revocation status is fetched
    sealed = validate_pdf(response.content, file_name="ho-so.pdf")
    (seal,) = sealed.signatures
    assert seal.field_name == SEAL_FIELD
    assert seal.signer.common_name == "Dịch vụ kiểm tra chữ ký — KyHop"
    assert {c.code: c.status for c in seal.checks}["integrity"] is CheckStatus.PASSED


def test_a_tampered_audit_event_is_shown_as_not_matching(
    province, client, django_capture_on_commit_callbacks
):
    request = _completed(province, django_capture_on_commit_callbacks)
    event = AuditEvent.objects.filter(verb="signing.step_signed").get()
    details = {**event.details, "certificate_serial": "00"}
    # The audit log is append-only for the application; this is the attacker's raw update.
    audit_tamper(
        "UPDATE audit_auditevent SET details = %s WHERE id = %s", [json.dumps(details), event.pk]
    )
    record = request_record(request)
    assert not record.intact
    assert [line.intact for line in record.lines].count(False) == 1
    client.force_login(province.clerk)
    page = client.get(f"/ky-so/yeu-cau/{request.pk}/").content.decode()
    assert "Có mục không khớp với chuỗi nhật ký." in page


def test_someone_who_cannot_see_the_request_gets_404_for_its_record(
    province, client, django_capture_on_commit_callbacks
):
    request = _completed(province, django_capture_on_commit_callbacks)
    client.force_login(province.outsider)
    assert client.get(f"/ky-so/yeu-cau/{request.pk}/ho-so-hoan-thanh.pdf").status_code == 404


def test_the_document_page_shows_the_issued_originals_verdict(
    province, client, django_capture_on_commit_callbacks
):
    request = _completed(province, django_capture_on_commit_callbacks)
    final = request.current_version
    report = ValidationReport.objects.get(version=final)  # checked once, after completion
    label = OUTCOME_LABELS[report.verdict]
    client.force_login(province.clerk)
    page = client.get(f"/van-ban/{request.document_id}/").content.decode()
    fact = re.search(r"<dt>Kiểm tra chữ ký</dt><dd>(.*?)</dd>", page)
    assert fact is not None and fact.group(1) == label
