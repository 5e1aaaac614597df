"""Several questions on screen: the clerk builds them on the consultation's page, a member
answers them all in one submission, the results, the sheet and the minutes list each one."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html import unescape

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from meetings.minutes.draft import minutes_body_html, minutes_facts
from meetings.models import Ballot, Consultation, ConsultationStatus, PollOption
from meetings.voting.consultations import consultation_answer, consultation_close_now
from tests.meetings.minutes.helpers import hold_meeting
from tests.meetings.voting.helpers import (
    PLACES,
    Committee,
    answers,
    consultation_committee,
    questions,
    two_questions,
)


@pytest.fixture
def committee(db) -> Committee:
    return consultation_committee()


def _deadline(hours: int = 24) -> str:
    return (timezone.localtime() + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def _text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _field(question) -> str:
    return f"q-{question.pk}"


def _option(question, key: str) -> int:
    return PollOption.objects.get(poll=question.poll, key=key).pk


def test_the_clerk_builds_two_questions_on_the_consultations_page(
    client, committee, django_capture_on_commit_callbacks
):
    body, clerk, _chair, _members = committee
    client.force_login(clerk)
    response = client.post(
        reverse("meetings:consultation_create"),
        {
            "body": body.pk,
            "title": "Tổ chức hội nghị tổng kết năm 2026",
            "question": "Thông qua dự thảo Quyết định ban hành Kế hoạch",
            "kind": "yes_no_abstain",
            "max_choices": 1,
            "deadline": _deadline(),
        },
    )
    consultation = Consultation.objects.get()
    detail = reverse("meetings:consultation_detail", args=[consultation.pk])
    assert response.status_code == 302 and response["Location"] == detail
    page = _text(client.get(detail))
    assert "Câu hỏi (1)" in page and "Câu 1. Thông qua dự thảo Quyết định" in page
    assert "Thêm câu hỏi" in page

    add = reverse("meetings:consultation_question_add", args=[consultation.pk])
    assert "Thêm câu hỏi 2" in _text(client.get(add))
    bad = client.post(add, {"question": "Chọn địa điểm", "kind": "one_of_n", "max_choices": 1})
    assert bad.status_code == 400 and "Cần ít nhất hai phương án" in _text(bad)
    response = client.post(
        add,
        {
            "question": "Chọn một trong ba phương án địa điểm",
            "kind": "one_of_n",
            "options": "\n".join(PLACES),
            "max_choices": 1,
        },
    )
    assert response.status_code == 302
    second = questions(consultation)[1]
    move = reverse("meetings:consultation_question_move", args=[consultation.pk, second.pk])
    assert client.post(move, {"direction": "up"}).status_code == 302
    assert questions(consultation)[0].poll.title.startswith("Chọn một trong ba")
    assert client.post(move, {"direction": "down"}).status_code == 302
    page = _text(client.get(detail))
    assert page.index("Câu 1. Thông qua") < page.index("Câu 2. Chọn một trong ba")
    assert all(place in page for place in PLACES)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meetings:consultation_send", args=[consultation.pk]))
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.SENT
    page = _text(client.get(detail))
    assert "Thêm câu hỏi" not in page and "Sửa câu hỏi" not in page
    response = client.get(add, follow=True)
    assert "đã gửi thì không sửa được nữa" in _text(response)
    remove = reverse("meetings:consultation_question_remove", args=[consultation.pk, second.pk])
    assert client.post(remove).status_code == 400
    assert len(questions(consultation)) == 2


def test_a_member_answers_everything_at_once_or_is_told_what_is_missing(
    client, committee, django_capture_on_commit_callbacks
):
    _body, _clerk, _chair, members = committee
    consultation = two_questions(committee, django_capture_on_commit_callbacks)
    first, second = questions(consultation)
    answer = reverse("meetings:consultation_answer", args=[consultation.pk])
    client.force_login(members[0])
    page = _text(client.get(reverse("meetings:consultation_detail", args=[consultation.pk])))
    assert "Câu 1. Thông qua dự thảo" in page and "Câu 2. Chọn một trong ba" in page
    assert "Phiếu có 2 câu hỏi" in page

    response = client.post(answer, {_field(first): _option(first, "yes")})
    assert response.status_code == 400
    text = _text(response)
    assert "Bạn chưa trả lời câu 2" in text and "chưa có ý kiến nào được ghi nhận" in text
    assert "Bạn chưa trả lời câu này" in text
    # What was ticked is ticked again, so only the missing question is left to answer.
    assert re.search(rf'value="{_option(first, "yes")}"[^>]*checked', response.content.decode())
    assert not Ballot.objects.exists()

    response = client.post(
        answer, {_field(first): _option(first, "yes"), _field(second): _option(second, "3")}
    )
    assert response.status_code == 302
    assert Ballot.objects.filter(voter=members[0]).count() == 2
    page = _text(client.get(response["Location"]))
    assert "Đã ghi nhận phiếu của bạn" in page and "Có thể đổi ý kiến" in page


def test_results_sheet_and_minutes_show_every_question(
    client, committee, django_capture_on_commit_callbacks, settings, tmp_path
):
    _body, clerk, chair, members = committee
    consultation = two_questions(committee, django_capture_on_commit_callbacks)
    # Question 1: 3 of 5 in favour, passed; question 2: 2 of 5 for the second place, not passed.
    for voter, keys in (
        (chair, ("yes", "2")),
        (members[0], ("yes", "2")),
        (members[1], ("yes", "1")),
    ):
        consultation_answer(
            actor=voter, consultation=consultation, answers=answers(consultation, *keys)
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        consultation_close_now(actor=clerk, consultation=consultation)
    client.force_login(clerk)
    page = _text(client.get(reverse("meetings:consultation_detail", args=[consultation.pk])))
    assert "Câu 1. Thông qua dự thảo" in page and "Câu 2. Chọn một trong ba" in page
    assert "Thông qua" in page and "Không thông qua" in page
    assert "Đã trả lời: 3/5 thành viên" in page

    sheet = client.get(reverse("meetings:consultation_sheet", args=[consultation.pk]))
    assert sheet["Content-Type"] == "application/pdf"
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(sheet.content)).pages).split()
    )
    assert "KẾT QUẢ LẤY Ý KIẾN" in text.upper()
    assert "Câu 1. Thông qua dự thảo Quyết định ban hành Kế hoạch tổ chức hội nghị" in text
    assert "Câu 2. Chọn một trong ba phương án địa điểm" in text
    assert "Kết luận: THÔNG QUA" in text and "Kết luận: KHÔNG THÔNG QUA" in text
    assert text.index("Kết luận: THÔNG QUA") < text.index("Kết luận: KHÔNG THÔNG QUA")
    assert "60,00%" in text and "40,00%" in text  # 3 and 2 of 5 members
    assert "Ngô Chủ Tịch, Thành Viên 0" in text and "Thành Viên 1" in text  # who chose what

    # The next meeting's minutes record both questions' results.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    body = consultation.body
    held = hold_meeting(body=body, clerk=clerk, chair=chair, with_polls=False)
    Consultation.objects.filter(pk=consultation.pk).update(
        closed_at=held.meeting.starts_at - timedelta(days=1)
    )
    facts = minutes_facts(held.meeting)
    (recorded,) = facts["consultations"]
    assert [q["number"] for q in recorded["questions"]] == [1, 2]
    assert [q["passed"] for q in recorded["questions"]] == [True, False]
    html = " ".join(unescape(re.sub(r"<[^>]+>", " ", minutes_body_html(facts))).split())
    assert "Câu 1. Thông qua dự thảo Quyết định" in html and "Câu 2. Chọn một trong ba" in html
    assert "2 câu hỏi" in html and PLACES[1] in html


def test_minutes_drafted_with_one_question_per_consultation_still_render():
    """A draft saved before several questions stored the question's result on the
    consultation itself; those minutes still print it."""
    old = {
        "title": "Thống nhất lịch tiếp công dân quý I",
        "kind": "Tán thành / Không tán thành / Không biểu quyết",
        "secret": False,
        "asked": 5,
        "cast": 4,
        "passed": True,
        "explanation": "Thông qua: 4/5 thành viên tán thành (80,00%).",
        "options": [{"label": "Tán thành", "count": 4, "percent": "80,00%", "voters": []}],
        "closed_at": "10 giờ 00 phút, ngày 01 tháng 12 năm 2026",
    }
    html = render_to_string("meetings/consultation/_minutes_section.html", {"consultations": [old]})
    html = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Thống nhất lịch tiếp công dân quý I" in html
    assert "Đã trả lời: 4/5 thành viên" in html and "Thông qua: 4/5" in html
