"""Written consultation (phiếu lấy ý kiến): sent by mail, answered once, closed when due."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from meetings.models import ConsultationStatus, PollStatus
from meetings.voting.consultations import (
    consultation_answer,
    consultation_close_due,
    consultation_create,
    consultation_remind,
    consultation_send,
    consultations_close_due,
)
from tests.meetings.voting.helpers import (
    Committee,
    answers,
    consultation_committee,
    first_poll,
    sent_consultation,
)


@pytest.fixture
def committee(db) -> Committee:
    return consultation_committee()


def _yes(consultation) -> dict[int, list[int]]:
    return answers(consultation, "yes")


def test_only_organisers_create(committee):
    body, _clerk, _chair, members = committee
    with pytest.raises(ValidationError, match="Chỉ lãnh đạo, văn thư"):
        consultation_create(
            actor=members[0], body=body, title="x", deadline=timezone.now() + timedelta(days=1)
        )


def test_sending_asks_every_member_by_mail(committee, django_capture_on_commit_callbacks):
    consultation = sent_consultation(committee, django_capture_on_commit_callbacks)
    assert consultation.status == ConsultationStatus.SENT
    assert first_poll(consultation).status == PollStatus.OPEN
    assert consultation.recipients.count() == 5  # chair and four members, not the clerk
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["ct@example.vn"] + [f"tv{n}@example.vn" for n in range(4)]
    )
    assert mail.outbox[0].subject == "Phiếu lấy ý kiến: Ý kiến về dự thảo quy chế làm việc"
    assert "Hạn trả lời" in mail.outbox[0].body
    with pytest.raises(ValidationError, match="đã được gửi"):
        consultation_send(actor=committee[1], consultation=consultation)


def test_members_answer_once_and_outsiders_not_at_all(
    committee, django_capture_on_commit_callbacks
):
    consultation = sent_consultation(committee, django_capture_on_commit_callbacks)
    _body, clerk, _chair, members = committee
    assert not consultation_answer(
        actor=members[0], consultation=consultation, answers=_yes(consultation)
    ).already_recorded
    assert consultation_answer(
        actor=members[0], consultation=consultation, answers=_yes(consultation)
    ).already_recorded
    with pytest.raises(ValidationError, match="không thuộc danh sách"):
        consultation_answer(actor=clerk, consultation=consultation, answers=_yes(consultation))


def test_deadline_closes_with_the_result(committee, django_capture_on_commit_callbacks):
    consultation = sent_consultation(committee, django_capture_on_commit_callbacks)
    _body, _clerk, chair, members = committee
    for voter in (chair, *members[:2]):
        consultation_answer(actor=voter, consultation=consultation, answers=_yes(consultation))
    assert consultation_close_due() == []
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        closed = consultation_close_due(now=consultation.deadline + timedelta(seconds=1))
    assert [c.pk for c in closed] == [consultation.pk]
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.CLOSED
    result = first_poll(consultation).result
    assert result["passed"] and result["explanation"].startswith("Thông qua: 3/5")
    assert len(mail.outbox) == 5 and mail.outbox[0].subject.startswith("Kết quả lấy ý kiến")


def test_everyone_answering_closes_before_the_deadline(
    committee, django_capture_on_commit_callbacks
):
    consultation = sent_consultation(committee, django_capture_on_commit_callbacks, secret=True)
    _body, _clerk, chair, members = committee
    for voter in (chair, *members):
        consultation_answer(actor=voter, consultation=consultation, answers=_yes(consultation))
    consultations_close_due.enqueue()  # the periodic task, run by the immediate backend
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.CLOSED
    assert first_poll(consultation).result["options"][0]["count"] == 5


def test_answers_after_the_deadline_are_refused(committee, django_capture_on_commit_callbacks):
    consultation = sent_consultation(committee, django_capture_on_commit_callbacks, hours=1)
    consultation.deadline = timezone.now() - timedelta(minutes=1)
    consultation.save()
    with pytest.raises(ValidationError, match="hết hạn"):
        consultation_answer(
            actor=committee[2], consultation=consultation, answers=_yes(consultation)
        )


def test_reminders_go_only_to_those_who_have_not_answered(
    committee, django_capture_on_commit_callbacks
):
    consultation = sent_consultation(committee, django_capture_on_commit_callbacks)
    _body, _clerk, chair, _members = committee
    consultation_answer(actor=chair, consultation=consultation, answers=_yes(consultation))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert consultation_remind(consultation=consultation) == 4
    assert len(mail.outbox) == 4 and "ct@example.vn" not in [m.to[0] for m in mail.outbox]
    assert mail.outbox[0].subject.startswith("Nhắc trả lời")


def test_deadline_must_be_ahead_when_sending(committee):
    body, clerk, _chair, _members = committee
    consultation = consultation_create(
        actor=clerk, body=body, title="x", deadline=timezone.now() - timedelta(hours=1)
    )
    with pytest.raises(ValidationError, match="Hạn trả lời"):
        consultation_send(actor=clerk, consultation=consultation)
