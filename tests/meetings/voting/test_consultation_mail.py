"""A consultation's mail (the question, the reminders, the result) goes through the outbox and
only to members cleared for its level; the clerk is told who was left out and why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Clearance, User
from audit.models import AuditEvent
from background.models import MailStatus, OutboxMail
from documents.services import document_create
from meetings.models import Consultation, ConsultationStatus
from meetings.voting.consultations import (
    consultation_close_now,
    consultation_create,
    consultation_documents_set,
    consultation_mail_send,
    consultation_remind,
    consultation_send,
)
from tests.documents.helpers import pdf_bytes
from tests.factories import make_body, make_user


def _user(name: str, body, role: str, email: str, clearance: int) -> User:
    user = make_user(full_name=name, body=body, role=role, email=email)
    user.clearance = clearance
    user.save(update_fields=["clearance"])
    return user


@pytest.fixture
def council(db):
    body = make_body(name="Ủy ban nhân dân huyện Tiên Du", symbol="UBND", total_members=4)
    clerk = _user("Lê Văn Thư", body, "clerk", "vt@example.vn", Clearance.SECRET)
    chair = _user("Ngô Chủ Tịch", body, "chair", "ct@example.vn", Clearance.SECRET)
    cleared = _user("Phạm Đã Mật", body, "member", "mat@example.vn", Clearance.SECRET)
    top = _user("Vũ Tối Mật", body, "member", "toimat@example.vn", Clearance.TOP_SECRET)
    uncleared = _user("Trần Chưa Mật", body, "member", "thuong@example.vn", Clearance.NORMAL)
    return body, clerk, chair, cleared, top, uncleared


def _draft(council, level: int = Clearance.SECRET) -> Consultation:
    body, clerk, *_ = council
    return consultation_create(
        actor=clerk,
        body=body,
        title="Phương án nhân sự (Mật)",
        description="Nội dung mật của phương án.",
        deadline=timezone.now() + timedelta(hours=30),
        confidentiality=level,
    )


def _mailed() -> list[str]:
    return sorted(m.to[0] for m in mail.outbox)


def test_a_secret_consultation_asks_and_mails_only_cleared_members(
    council, django_capture_on_commit_callbacks
):
    _body, clerk, chair, cleared, top, uncleared = council
    with django_capture_on_commit_callbacks(execute=True):
        consultation = consultation_send(actor=clerk, consultation=_draft(council))
    assert set(consultation.recipients.values_list("user_id", flat=True)) == {
        chair.pk,
        cleared.pk,
        top.pk,
    }
    assert _mailed() == ["ct@example.vn", "mat@example.vn", "toimat@example.vn"]
    rows = OutboxMail.objects.filter(topic=f"consultation:{consultation.pk}")
    assert sorted(rows.values_list("address", flat=True)) == _mailed()
    assert set(rows.values_list("status", flat=True)) == {MailStatus.SENT}
    assert not any("Nội dung mật" in m.body for m in mail.outbox if m.to == [uncleared.email])
    event = AuditEvent.objects.get(verb="consultation.sent")
    assert event.details["left_out"] == 1 and event.details["level"] == Clearance.SECRET


def test_reminders_and_the_result_reach_only_cleared_recipients_once_per_round(
    council, django_capture_on_commit_callbacks
):
    _body, clerk, _chair, _cleared, top, uncleared = council
    with django_capture_on_commit_callbacks(execute=True):
        consultation = consultation_send(actor=clerk, consultation=_draft(council))
    # A recipient whose clearance is withdrawn after sending gets nothing more.
    top.clearance = Clearance.NORMAL
    top.save(update_fields=["clearance"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        consultation_remind(consultation=consultation)
    assert _mailed() == ["ct@example.vn", "mat@example.vn"]
    consultation.refresh_from_db()
    stamp = consultation.last_reminded_at.isoformat()
    # The same round run again (a retried task) queues nothing.
    mail.outbox.clear()
    again = consultation_mail_send(consultation=consultation, purpose="remind", round_key=stamp)
    assert again == 0 and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        consultation_close_now(actor=clerk, consultation=consultation)
    assert _mailed() == ["ct@example.vn", "mat@example.vn"]
    assert mail.outbox[0].subject.startswith("Kết quả lấy ý kiến")
    assert uncleared.email not in OutboxMail.objects.values_list("address", flat=True)
    assert top.email in OutboxMail.objects.filter(purpose="consultation-invite").values_list(
        "address", flat=True
    )
    assert not OutboxMail.objects.filter(address=top.email).exclude(purpose="consultation-invite")


def test_an_attached_top_secret_document_raises_the_level(
    council, django_capture_on_commit_callbacks
):
    body, clerk, _chair, _cleared, _top, _uncleared = council
    admin = User.objects.create_superuser(username="qt", password="mat-khau-thu-1", full_name="QT")
    document = document_create(
        actor=admin,
        owning_body=body,
        doc_type="to_trinh",
        abstract="Phụ lục tối mật",
        upload=SimpleUploadedFile("tm.pdf", pdf_bytes(1), "application/pdf"),
        confidentiality=Clearance.TOP_SECRET,
    )
    draft = _draft(council)
    consultation_documents_set(actor=clerk, consultation=draft, documents=[document])
    with django_capture_on_commit_callbacks(execute=True):
        consultation_send(actor=admin, consultation=draft)
    assert _mailed() == ["toimat@example.vn"]


def test_no_cleared_member_is_refused_and_nothing_is_half_done(council):
    _body, _clerk, chair, cleared, top, _uncleared = council
    admin = User.objects.create_superuser(username="qt", password="mat-khau-thu-1", full_name="QT")
    for user in (chair, cleared, top):
        user.clearance = Clearance.NORMAL
        user.save(update_fields=["clearance"])
    draft = _draft(council)
    with pytest.raises(ValidationError, match="Không thành viên nào"):
        consultation_send(actor=admin, consultation=draft)
    draft.refresh_from_db()
    assert draft.status == ConsultationStatus.DRAFT and not draft.recipients.exists()
    assert not OutboxMail.objects.exists()


def test_a_clerk_cannot_set_a_level_above_their_own_clearance(council):
    with pytest.raises(ValidationError, match="chưa được phép đọc"):
        _draft(council, Clearance.TOP_SECRET)
    assert not Consultation.objects.exists()


def test_the_clerk_is_told_who_is_left_out_before_and_after_sending(
    council, client, django_capture_on_commit_callbacks
):
    _body, clerk, _chair, _cleared, _top, uncleared = council
    consultation = _draft(council)
    client.force_login(clerk)
    detail = reverse("meetings:consultation_detail", args=[consultation.pk])
    page = client.get(detail).content.decode()
    assert "Sẽ không gửi phiếu cho" in page and uncleared.full_name in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("meetings:consultation_send", args=[consultation.pk]), follow=True
        )
    text = response.content.decode()
    assert "Không gửi phiếu và không gửi thư cho: Trần Chưa Mật" in text
    assert uncleared.email not in _mailed()
    # The uncleared member does not see the consultation at all.
    client.force_login(uncleared)
    assert client.get(detail).status_code == 404
