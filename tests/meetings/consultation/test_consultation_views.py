"""Written consultation on screen: who sees what, the clerk's steps, the member's answer."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from meetings.models import Consultation, ConsultationStatus, PollOption
from tests.factories import make_body, make_user
from tests.meetings.voting.helpers import first_poll, questions


@pytest.fixture
def committee(db):
    body = make_body(name="Ủy ban nhân dân huyện Tiên Du", symbol="UBND", total_members=3)
    clerk = make_user(full_name="Lê Văn Thư", body=body, role="clerk", email="vt@example.vn")
    chair = make_user(full_name="Ngô Chủ Tịch", body=body, role="chair", email="ct@example.vn")
    members = [
        make_user(full_name=f"Thành Viên {n}", body=body, role="member", email=f"tv{n}@example.vn")
        for n in range(2)
    ]
    outsider = make_user(full_name="Người Ngoài", body=make_body(name="Sở khác", symbol="SK"))
    return body, clerk, chair, members, outsider


def _deadline(hours: int = 24) -> str:
    return (timezone.localtime() + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def _create(client, body, **extra) -> Consultation:
    data = {
        "body": body.pk,
        "title": "Ý kiến về dự thảo quy chế làm việc",
        "kind": "yes_no_abstain",
        "max_choices": 1,
        "deadline": _deadline(),
        **extra,
    }
    response = client.post(reverse("meetings:consultation_create"), data)
    assert response.status_code == 302, response.content.decode()
    return Consultation.objects.latest("pk")


def _send(client, consultation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings:consultation_send", args=[consultation.pk]))
    assert response.status_code == 302
    consultation.refresh_from_db()
    return consultation


def _option(consultation, key, number: int = 1):
    return PollOption.objects.get(poll=questions(consultation)[number - 1].poll, key=key).pk


def _field(consultation, number: int = 1) -> str:
    """The answer page's field for question *number*."""
    return f"q-{questions(consultation)[number - 1].pk}"


def test_clerk_creates_edits_sends_and_members_are_told(
    client, committee, django_capture_on_commit_callbacks
):
    body, clerk, _chair, members, _outsider = committee
    client.force_login(clerk)
    consultation = _create(client, body)
    edit = reverse("meetings:consultation_edit", args=[consultation.pk])
    response = client.post(
        edit, {"body": body.pk, "title": "Chọn ngày tổ chức hội nghị", "deadline": _deadline()}
    )
    assert response.status_code == 302
    question = questions(consultation)[0]
    response = client.post(
        reverse("meetings:consultation_question_edit", args=[consultation.pk, question.pk]),
        {
            "question": "Chọn ngày tổ chức hội nghị",
            "kind": "one_of_n",
            "options": "Thứ Hai\nThứ Tư\n",
            "max_choices": 1,
        },
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.title == "Chọn ngày tổ chức hội nghị"
    assert [o.label for o in first_poll(consultation).options.all()] == ["Thứ Hai", "Thứ Tư"]
    _send(client, consultation, django_capture_on_commit_callbacks)
    assert consultation.status == ConsultationStatus.SENT
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ct@example.vn",
        "tv0@example.vn",
        "tv1@example.vn",
    ]
    assert client.get(edit).status_code == 302  # no editing once sent
    client.force_login(members[0])
    home = client.get(reverse("accounts:home")).content.decode()
    assert "Chọn ngày tổ chức hội nghị" in home and "Chưa trả lời" in home


def test_bad_input_gets_a_vietnamese_message_and_nothing_is_written(client, committee):
    body, clerk, *_ = committee
    client.force_login(clerk)
    response = client.post(
        reverse("meetings:consultation_create"),
        {
            "body": body.pk,
            "title": "Chọn phương án",
            "kind": "one_of_n",
            "options": "Một",
            "max_choices": 1,
            "deadline": _deadline(),
        },
    )
    assert response.status_code == 400
    assert "Cần ít nhất hai phương án" in response.content.decode()
    assert not Consultation.objects.exists()


def test_sending_after_the_deadline_is_refused_with_a_message(
    client, committee, django_capture_on_commit_callbacks
):
    body, clerk, *_ = committee
    client.force_login(clerk)
    consultation = _create(client, body, deadline=_deadline(hours=-1))
    response = client.post(reverse("meetings:consultation_send", args=[consultation.pk]))
    assert response.status_code == 400
    assert "Hạn trả lời phải ở sau thời điểm gửi" in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.DRAFT


def test_outsiders_and_members_before_sending_get_404(client, committee):
    body, clerk, _chair, members, outsider = committee
    client.force_login(clerk)
    consultation = _create(client, body)
    detail = reverse("meetings:consultation_detail", args=[consultation.pk])
    for who in (outsider, members[0]):
        client.force_login(who)
        assert client.get(detail).status_code == 404
        assert (
            client.post(reverse("meetings:consultation_send", args=[consultation.pk])).status_code
            == 404
        )
    client.logout()
    assert client.get(detail).status_code == 302  # to the login page


def test_member_answers_changes_then_sees_it_closed_with_the_result(
    client, committee, django_capture_on_commit_callbacks
):
    body, clerk, _chair, members, outsider = committee
    client.force_login(clerk)
    consultation = _send(client, _create(client, body), django_capture_on_commit_callbacks)
    answer = reverse("meetings:consultation_answer", args=[consultation.pk])
    client.force_login(members[0])
    field = _field(consultation)
    assert client.post(answer, {field: _option(consultation, "yes")}).status_code == 302
    assert client.post(answer, {field: _option(consultation, "no")}).status_code == 302
    assert client.post(answer, {}).status_code == 400  # nothing chosen: told, nothing changed
    client.force_login(outsider)
    assert client.post(answer, {field: _option(consultation, "yes")}).status_code == 404
    client.force_login(clerk)
    page = client.get(reverse("meetings:consultation_detail", args=[consultation.pk]))
    assert "Chưa trả lời: 2/3" in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meetings:consultation_remind", args=[consultation.pk]))
    assert sorted(m.to[0] for m in mail.outbox) == ["ct@example.vn", "tv1@example.vn"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meetings:consultation_close", args=[consultation.pk]))
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.CLOSED
    counts = {o["key"]: o["count"] for o in first_poll(consultation).result["options"]}
    assert counts["no"] == 1 and counts["yes"] == 0
    client.force_login(members[0])
    assert client.post(answer, {field: _option(consultation, "yes")}).status_code == 400
    page = client.get(reverse("meetings:consultation_detail", args=[consultation.pk]))
    assert "Đã kết thúc lấy ý kiến" in page.content.decode()
    sheet = client.get(reverse("meetings:consultation_sheet", args=[consultation.pk]))
    assert sheet["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(sheet.content)).pages)
    assert "KẾT QUẢ LẤY Ý KIẾN" in text.upper()
    assert "Thành Viên 0" in text
    client.force_login(outsider)
    assert (
        client.get(reverse("meetings:consultation_sheet", args=[consultation.pk])).status_code
        == 404
    )


def test_clerk_attaches_only_the_bodys_documents(client, committee):
    from documents.models import Document

    body, clerk, *_ = committee
    client.force_login(clerk)
    consultation = _create(client, body)
    other = make_body(name="Sở Tài chính", symbol="STC")
    ours = Document.objects.filter(owning_body=body).first()
    assert ours is None or ours  # the body starts with no documents
    theirs_ids = list(Document.objects.filter(owning_body=other).values_list("pk", flat=True))
    response = client.post(
        reverse("meetings:consultation_documents", args=[consultation.pk]),
        {"documents": theirs_ids or [999999]},
    )
    assert response.status_code == 400
    assert consultation.documents.count() == 0
