"""The minutes' whole path with the test PKI: drafted → edited → sent → secretary and chair
sign → numbered → sealed → filed → archived; the final PDF validates as B-LTA. And the mail of
a Mật meeting's minutes: signing notices and the signed minutes only to cleared people."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import subprocess
from email import message_from_bytes, policy

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from accounts.models import Clearance
from background.models import MailStatus, OutboxMail
from documents.models import WorkRecordStatus
from documents.services import work_record_add
from documents.storage import blob_open
from meetings.minutes.draft import CHAIR_FIELD, SECRETARY_FIELD, minutes_draft_create, minutes_save
from meetings.minutes.mail import minutes_issued_mail
from meetings.minutes.pack import pack_files
from meetings.minutes.signing import (
    conclusion_notice_send,
    meeting_archive,
    minutes_send_for_signature,
)
from meetings.models import (
    Meeting,
    MeetingRecord,
    MeetingStatus,
    MinutesDraft,
    MinutesStatus,
    VoteSheet,
)
from signing import devpki as pki
from signing.models import RequestStatus, SigningRequest, StepKind
from signing.selectors import waiting_for
from signing.services import request_number_assign, step_sign
from signing.validation.engine import ValidationConfig, validate_bytes
from tests.meetings.minutes.helpers import attach_document, hold_meeting
from tests.signing.helpers import render_page

pytestmark = pytest.mark.django_db


def _bytes(version) -> bytes:
    with blob_open(version.blob.storage_name) as handle:
        return handle.read()


def _sign(user, request, passphrase, capture):
    assignee = waiting_for(user).get(step__request=request)
    with capture(execute=True):
        return step_sign(actor=user, assignee=assignee, passphrase=passphrase)


def _held(province):
    held = hold_meeting(
        body=province.ubnd,
        clerk=province.clerk,
        chair=province.chair,
        secretary=province.drafter1,
    )
    attach_document(held, title="Tờ trình về Kế hoạch chuyển đổi số năm 2027")
    return held


def _pyhanko_statuses(data: bytes, test_pki) -> list:
    """pyHanko's own verdict per signature, online against the test PKI's root."""

    async def run() -> list:
        context = ValidationContext(
            trust_roots=pki.trust_roots(test_pki.directory),
            allow_fetching=True,
            revocation_mode="hard-fail",
        )
        try:
            reader = PdfFileReader(io.BytesIO(data))
            return [
                (sig.field_name, await async_validate_pdf_signature(sig, context))
                for sig in reader.embedded_regular_signatures
            ]
        finally:
            await context.aclose()

    return asyncio.run(run())


def _levels(data: bytes, test_pki) -> dict[str, str]:
    """The PAdES level per signature as KyHop's validation engine reports it."""
    root = pki.trust_roots(test_pki.directory)[0]
    config = ValidationConfig(
        trust_roots=(root.dump(),),
        trust_root_names=("KyHop test root",),
        fetch=True,
        fetch_timeout=10,
        max_signatures=10,
    )
    report = validate_bytes(data, file_name="bien-ban.pdf", config=config)
    return {s.field_name: s.pades_level for s in report.signatures}


def test_minutes_are_signed_sealed_filed_and_archived(
    province, pki_settings, tmp_path, django_capture_on_commit_callbacks
):
    passphrase = pki_settings.passphrase
    held = _held(province)
    meeting, clerk = held.meeting, province.clerk
    minutes_draft_create(actor=clerk, meeting=meeting)
    minutes_save(
        actor=clerk,
        meeting=meeting,
        narrative={"items.0.discussion": "Các thành viên thống nhất với dự thảo Kế hoạch."},
    )
    with django_capture_on_commit_callbacks(execute=True):
        draft = minutes_send_for_signature(actor=clerk, meeting=meeting)
    assert draft.status == MinutesStatus.IN_SIGNING
    request = draft.signing_request
    assert request.level == "B-LTA"
    steps = list(request.steps.order_by("order").prefetch_related("assignees"))
    assert [s.kind for s in steps] == [StepKind.MAIN, StepKind.MAIN, StepKind.SEAL]
    assert [a.field_name for a in steps[0].assignees.all()] == [SECRETARY_FIELD]
    assert [a.field_name for a in steps[1].assignees.all()] == [CHAIR_FIELD]

    # What the signers see must not change under them.
    with pytest.raises(ValidationError, match="đang trình ký"):
        minutes_save(actor=clerk, meeting=meeting, narrative={"closing": "Sửa lại."})

    _sign(province.drafter1, request, passphrase, django_capture_on_commit_callbacks)
    _sign(province.chair, request, passphrase, django_capture_on_commit_callbacks)
    request_number_assign(actor=clerk, request=request, issued_on=dt.date(2026, 12, 3))
    final = _sign(province.clerk, request, passphrase, django_capture_on_commit_callbacks)

    request.refresh_from_db()
    meeting.refresh_from_db()
    draft.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED
    assert meeting.status == MeetingStatus.MINUTES_SIGNED
    assert draft.status == MinutesStatus.SIGNED
    assert draft.document.number_symbol == "01/BB-UBND"

    record = MeetingRecord.objects.get(meeting=meeting).record
    filed = set(record.documents.values_list("pk", flat=True))
    sheets = VoteSheet.objects.filter(poll__item__meeting=meeting)
    assert sheets.count() == 2
    agenda_document = meeting.agenda_items.first().documents.get()
    assert {draft.document_id, agenda_document.pk, *(s.document_id for s in sheets)} == filed

    data = _bytes(final)
    (tmp_path / "bien-ban-da-ky.pdf").write_bytes(data)
    statuses = _pyhanko_statuses(data, pki_settings)
    assert [name for name, _ in statuses] == [SECRETARY_FIELD, CHAIR_FIELD, "dong_dau_3_1"]
    for name, status in statuses:
        assert status.intact and status.valid and status.trusted, (name, status)
        assert status.docmdp_ok, (name, status.pretty_print_details())
    assert set(_levels(data, pki_settings).values()) == {"B-LTA"}

    # The signed minutes still read correctly in Vietnamese once signed and numbered.
    text = subprocess.run(
        ["pdftotext", "-l", "1", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    assert "Số: 01/BB-UBND" in " ".join(text.split())
    render_page(data, tmp_path, page=1, dpi=60).save(tmp_path / "signed-page-1.png")

    # Participants now take the signed minutes away with the pack.
    titles = [f.title for f in pack_files(held.members[0], meeting)]
    assert titles[-1] == "Biên bản" and len(titles) == 2

    meeting = meeting_archive(actor=clerk, meeting=meeting)
    record.refresh_from_db()
    assert meeting.status == MeetingStatus.ARCHIVED
    assert record.status == WorkRecordStatus.CLOSED
    with pytest.raises(ValidationError, match="đã đóng"):
        work_record_add(actor=clerk, record=record, document=agenda_document)


def test_a_new_version_restarts_the_request(province, django_capture_on_commit_callbacks):
    held = _held(province)
    meeting, clerk = held.meeting, province.clerk
    minutes_draft_create(actor=clerk, meeting=meeting)
    with django_capture_on_commit_callbacks(execute=True):
        first = minutes_send_for_signature(actor=clerk, meeting=meeting, parallel=True)
    steps = list(first.signing_request.steps.order_by("order"))
    assert [(s.kind, s.assignees.count()) for s in steps] == [("main", 2), ("seal", 1)]

    second = minutes_save(
        actor=clerk, meeting=meeting, narrative={"closing": "Bổ sung."}, restart=True
    )
    first.refresh_from_db()
    first.signing_request.refresh_from_db()
    assert first.status == MinutesStatus.SUPERSEDED
    assert first.signing_request.status == RequestStatus.CANCELLED
    assert second.status == MinutesStatus.DRAFT and second.version == 2

    with django_capture_on_commit_callbacks(execute=True):
        resent = minutes_send_for_signature(actor=clerk, meeting=meeting)
    # Same document, a new version of it, a new request.
    assert resent.document_id == first.document_id
    assert resent.signing_request_id != first.signing_request_id
    assert resent.document.versions.count() >= 3  # v1, prepared v1, v2 (+ prepared)


def test_conclusion_notice_is_routed_chair_then_seal(
    province, pki_settings, tmp_path, django_capture_on_commit_callbacks
):
    held = _held(province)
    minutes_draft_create(actor=province.clerk, meeting=held.meeting)
    with django_capture_on_commit_callbacks(execute=True):
        notice = conclusion_notice_send(actor=province.clerk, meeting=held.meeting)
    request = notice.signing_request
    steps = list(request.steps.order_by("order"))
    assert [s.kind for s in steps] == [StepKind.MAIN, StepKind.SEAL]
    source = _bytes(request.source_version)
    text = " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=source, capture_output=True, check=True)
        .stdout.decode()
        .split()
    )
    for expected in (
        "THÔNG BÁO",
        "Số: /TB-UBND",
        "Kết luận của Nguyễn Văn Hùng",
        "Giao Sở Thông tin và Truyền thông hoàn thiện hồ sơ",
    ):
        assert expected in text, expected
    _sign(province.chair, request, pki_settings.passphrase, django_capture_on_commit_callbacks)
    request_number_assign(actor=province.clerk, request=request, issued_on=dt.date(2026, 12, 4))
    _sign(province.clerk, request, pki_settings.passphrase, django_capture_on_commit_callbacks)
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED


# --- Mail of a Mật meeting's minutes: only to people cleared for it, through the outbox ---


def _secret_meeting(province):
    held = hold_meeting(
        body=province.ubnd, clerk=province.clerk, chair=province.chair, secretary=province.drafter1
    )
    Meeting.objects.filter(pk=held.meeting.pk).update(confidentiality=Clearance.SECRET)
    held.meeting.refresh_from_db()
    cleared = [province.clerk, province.chair, province.drafter1, *held.members[:2]]
    everyone = {*cleared, *held.members, held.substitute}
    for user in everyone:
        user.email = f"{user.username}@example.vn"
        user.clearance = Clearance.SECRET if user in cleared else Clearance.NORMAL
        user.save(update_fields=["email", "clearance"])
    minutes_draft_create(actor=province.clerk, meeting=held.meeting)
    minutes_save(
        actor=province.clerk,
        meeting=held.meeting,
        narrative={"items.0.discussion": "Các thành viên thống nhất với dự thảo."},
    )
    return held, cleared


def test_signing_notices_and_the_signed_minutes_reach_only_cleared_people(
    province, pki_settings, django_capture_on_commit_callbacks
):
    held, cleared = _secret_meeting(province)
    cleared_addresses = {u.email for u in cleared}
    with django_capture_on_commit_callbacks(execute=True):
        draft = minutes_send_for_signature(actor=province.clerk, meeting=held.meeting)
    request = draft.signing_request
    notices = OutboxMail.objects.filter(topic=f"signing-request:{request.pk}")
    assert list(notices.values_list("address", flat=True)) == [province.drafter1.email]

    passphrase = pki_settings.passphrase
    _sign(province.drafter1, request, passphrase, django_capture_on_commit_callbacks)
    _sign(province.chair, request, passphrase, django_capture_on_commit_callbacks)
    request_number_assign(actor=province.clerk, request=request, issued_on=dt.date(2026, 12, 3))
    mail.outbox.clear()
    _sign(province.clerk, request, passphrase, django_capture_on_commit_callbacks)
    draft.refresh_from_db()
    assert draft.status == MinutesStatus.SIGNED

    minutes = OutboxMail.objects.filter(purpose="minutes")
    # Participants cleared for the meeting: chair, secretary and the two cleared members (the
    # clerk organises but is not a participant; the uncleared members and substitute get none).
    expected = {province.chair.email, province.drafter1.email, *(m.email for m in held.members[:2])}
    assert set(minutes.values_list("address", flat=True)) == expected
    assert set(minutes.values_list("status", flat=True)) == {MailStatus.SENT}
    sent = [m for m in mail.outbox if m.subject.startswith("[Biên bản]")]
    assert sorted(m.to[0] for m in sent) == sorted(expected)
    parsed = message_from_bytes(sent[0].message().as_bytes(), policy=policy.default)
    attachment = next(parsed.iter_attachments())
    assert attachment.get_filename() == "bien-ban.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    # Nothing of the meeting, on any of its topics, went to an uncleared address.
    every_address = set(OutboxMail.objects.values_list("address", flat=True))
    assert every_address <= cleared_addresses
    # A second filing (the hook runs again) mails nobody twice.
    assert minutes_issued_mail(draft=MinutesDraft.objects.get(pk=draft.pk)) == 0


def test_an_uncleared_signer_is_refused_before_anything_is_sent(
    province, django_capture_on_commit_callbacks
):
    held, _cleared = _secret_meeting(province)
    province.drafter1.clearance = Clearance.NORMAL
    province.drafter1.save(update_fields=["clearance"])
    with (
        pytest.raises(ValidationError, match="Lê Minh Đức chưa được phép đọc"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        minutes_send_for_signature(actor=province.clerk, meeting=held.meeting)
    assert not SigningRequest.objects.exists()
    assert not OutboxMail.objects.exists()
    assert not MinutesDraft.objects.filter(
        meeting=held.meeting, status=MinutesStatus.IN_SIGNING
    ).exists()
