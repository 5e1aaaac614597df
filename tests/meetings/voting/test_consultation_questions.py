"""A consultation of several questions: built and ordered while a draft, frozen once sent,
answered all at once (or not at all), and counted as answered only when every question is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from meetings.consultation.selectors import open_consultations_for
from meetings.models import (
    Ballot,
    ConsultationStatus,
    Poll,
    PollStatus,
    SecretChoice,
    VoteReceipt,
)
from meetings.models.voting import ConsultationQuestion
from meetings.voting.ballots import ballot_cast
from meetings.voting.consultations import (
    consultation_answer,
    consultation_answer_replace,
    consultation_close_due,
    consultation_close_now,
    consultation_question_add,
    consultation_question_move,
    consultation_question_remove,
    consultation_question_update,
    consultation_remind,
    consultation_send,
    consultation_unanswered,
    consultation_update,
)
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


def _titles(consultation) -> list[tuple[int, str]]:
    return [(q.order, q.poll.title) for q in questions(consultation)]


# --- Building a draft ---------------------------------------------------------------------------


def test_questions_are_numbered_in_order_and_can_be_edited_moved_and_removed(
    committee, django_capture_on_commit_callbacks
):
    _body, clerk, _chair, _members = committee
    consultation = two_questions(committee, django_capture_on_commit_callbacks, send=False)
    third = consultation_question_add(
        actor=clerk,
        consultation=consultation,
        title="Chọn các nội dung khen thưởng",
        kind="several_of_n",
        options=["Tập thể", "Cá nhân", "Đột xuất"],
        max_choices=2,
    )
    assert [n for n, _ in _titles(consultation)] == [1, 2, 3]
    assert third.poll.max_choices == 2 and third.poll.status == PollStatus.DRAFT

    consultation_question_move(actor=clerk, question=third, direction="up")
    assert _titles(consultation)[1] == (2, "Chọn các nội dung khen thưởng")
    first = questions(consultation)[0]
    consultation_question_move(actor=clerk, question=first, direction="up")  # already first
    assert questions(consultation)[0].pk == first.pk

    consultation_question_update(
        actor=clerk,
        question=first,
        title="Thông qua dự thảo Quyết định (đã sửa)",
        kind="yes_no_abstain",
    )
    assert _titles(consultation)[0] == (1, "Thông qua dự thảo Quyết định (đã sửa)")
    old_poll = first.poll_id
    assert not Poll.objects.filter(pk=old_poll).exists()  # rebuilt, the draft one is gone

    consultation_question_remove(actor=clerk, question=questions(consultation)[1])
    assert _titles(consultation) == [
        (1, "Thông qua dự thảo Quyết định (đã sửa)"),
        (2, "Chọn một trong ba phương án địa điểm"),
    ]
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {
        "consultation.created",
        "consultation.question_added",
        "consultation.question_moved",
        "consultation.question_updated",
        "consultation.question_removed",
    } <= verbs


def test_secrecy_is_the_consultations_for_every_question(
    committee, django_capture_on_commit_callbacks
):
    _body, clerk, _chair, _members = committee
    consultation = two_questions(committee, django_capture_on_commit_callbacks, send=False)
    consultation_update(
        actor=clerk,
        consultation=consultation,
        title=consultation.title,
        deadline=consultation.deadline,
        secret=True,
    )
    added = consultation_question_add(actor=clerk, consultation=consultation, title="Câu thêm")
    assert all(q.poll.secret for q in questions(consultation))
    assert added.poll.secret


def test_only_organisers_change_questions_and_only_in_a_draft(
    committee, django_capture_on_commit_callbacks
):
    _body, clerk, _chair, members = committee
    draft = two_questions(committee, django_capture_on_commit_callbacks, send=False)
    with pytest.raises(ValidationError, match="Chỉ lãnh đạo, văn thư"):
        consultation_question_add(actor=members[0], consultation=draft, title="Câu lạ")
    with pytest.raises(ValidationError, match="Hình thức trả lời không hợp lệ"):
        consultation_question_add(actor=clerk, consultation=draft, title="x", kind="confidence")
    with pytest.raises(ValidationError, match="ít nhất hai phương án"):
        consultation_question_add(actor=clerk, consultation=draft, title="x", kind="one_of_n")
    assert len(questions(draft)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        sent = consultation_send(actor=clerk, consultation=draft)
    first, second = questions(sent)
    assert first.poll.status == second.poll.status == PollStatus.OPEN
    frozen = "đã gửi thì không sửa được nữa"
    with pytest.raises(ValidationError, match=frozen):
        consultation_question_add(actor=clerk, consultation=sent, title="Câu muộn")
    with pytest.raises(ValidationError, match=frozen):
        consultation_question_update(actor=clerk, question=first, title="Sửa muộn")
    with pytest.raises(ValidationError, match=frozen):
        consultation_question_move(actor=clerk, question=second, direction="up")
    with pytest.raises(ValidationError, match=frozen):
        consultation_question_remove(actor=clerk, question=first)
    assert _titles(sent) == [
        (1, "Thông qua dự thảo Quyết định ban hành Kế hoạch tổ chức hội nghị"),
        (2, "Chọn một trong ba phương án địa điểm"),
    ]


def test_a_consultation_without_questions_cannot_be_sent(
    committee, django_capture_on_commit_callbacks
):
    _body, clerk, _chair, _members = committee
    draft = two_questions(committee, django_capture_on_commit_callbacks, send=False)
    for question in questions(draft):
        consultation_question_remove(actor=clerk, question=question)
    assert not ConsultationQuestion.objects.filter(consultation=draft).exists()
    with pytest.raises(ValidationError, match="chưa có câu hỏi nào"):
        consultation_send(actor=clerk, consultation=draft)
    draft.refresh_from_db()
    assert draft.status == ConsultationStatus.DRAFT and not draft.recipients.exists()


# --- Answering: all or nothing ------------------------------------------------------------------


def test_answering_writes_every_question_or_none(committee, django_capture_on_commit_callbacks):
    _body, _clerk, chair, _members = committee
    consultation = two_questions(committee, django_capture_on_commit_callbacks)
    first, second = questions(consultation)
    both = answers(consultation, "yes", "2")

    with pytest.raises(ValidationError, match="chưa trả lời câu 2"):
        consultation_answer(
            actor=chair, consultation=consultation, answers={first.pk: both[first.pk]}
        )
    with pytest.raises(ValidationError, match="chưa trả lời câu 1, 2"):
        consultation_answer(actor=chair, consultation=consultation, answers={})
    # Question 1 is valid and cast first; question 2 names question 1's option: refused,
    # and question 1's ballot is rolled back with it.
    with pytest.raises(ValidationError, match="Câu 2: Phương án không thuộc"):
        consultation_answer(
            actor=chair,
            consultation=consultation,
            answers={first.pk: both[first.pk], second.pk: both[first.pk]},
        )
    assert not Ballot.objects.filter(voter=chair).exists()

    ack = consultation_answer(actor=chair, consultation=consultation, answers=both)
    assert not ack.already_recorded
    assert Ballot.objects.filter(voter=chair).count() == 2
    assert consultation_answer(
        actor=chair, consultation=consultation, answers=both
    ).already_recorded


def test_a_named_answer_changes_as_a_whole_a_secret_one_not_at_all(
    committee, django_capture_on_commit_callbacks
):
    _body, _clerk, chair, members = committee
    named = two_questions(committee, django_capture_on_commit_callbacks)
    consultation_answer(actor=chair, consultation=named, answers=answers(named, "yes", "1"))
    consultation_answer_replace(actor=chair, consultation=named, answers=answers(named, "no", "3"))
    chosen = Ballot.objects.filter(voter=chair).values_list("choices__option__key", flat=True)
    assert sorted(chosen) == ["3", "no"]
    # A change that leaves a question empty keeps the previous answer whole.
    first = questions(named)[0]
    with pytest.raises(ValidationError, match="chưa trả lời câu 2"):
        consultation_answer_replace(
            actor=chair,
            consultation=named,
            answers={first.pk: answers(named, "yes", "1")[first.pk]},
        )
    chosen = Ballot.objects.filter(voter=chair).values_list("choices__option__key", flat=True)
    assert sorted(chosen) == ["3", "no"]

    secret = two_questions(committee, django_capture_on_commit_callbacks, secret=True)
    consultation_answer(actor=members[0], consultation=secret, answers=answers(secret, "yes", "1"))
    again = consultation_answer_replace(
        actor=members[0], consultation=secret, answers=answers(secret, "no", "2")
    )
    assert again.already_recorded and "không thể thay đổi" in again.message
    polls = [q.poll for q in questions(secret)]
    assert VoteReceipt.objects.filter(poll__in=polls, voter=members[0]).count() == 2
    assert sorted(
        SecretChoice.objects.filter(poll__in=polls).values_list("option__key", flat=True)
    ) == [
        "1",
        "yes",
    ]


# --- Answered means every question: who is missing, reminders, early close ----------------------


def test_someone_who_answered_one_question_of_two_has_not_answered(
    committee, django_capture_on_commit_callbacks
):
    _body, _clerk, chair, members = committee
    consultation = two_questions(committee, django_capture_on_commit_callbacks)
    consultation_answer(
        actor=chair, consultation=consultation, answers=answers(consultation, "yes", "2")
    )
    # One question's ballot alone (cast straight on its poll, as no screen can) is not an answer.
    first = questions(consultation)[0]
    ballot_cast(
        actor=members[0], poll=first.poll, option_ids=answers(consultation, "yes", "2")[first.pk]
    )
    unanswered = {r.user.full_name for r in consultation_unanswered(consultation)}
    assert unanswered == {f"Thành Viên {n}" for n in range(4)}
    # The home page's notice agrees: half answered is still waiting.
    assert open_consultations_for(chair).get().answered is True
    assert open_consultations_for(members[0]).get().answered is False

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert consultation_remind(consultation=consultation) == 4
    assert sorted(m.to[0] for m in mail.outbox) == [f"tv{n}@example.vn" for n in range(4)]
    assert "Câu 2. Chọn một trong ba phương án địa điểm" in mail.outbox[0].body

    # Everyone but members[0] answers everything; members[0] still has question 2 open.
    for member in members[1:]:
        consultation_answer(
            actor=member, consultation=consultation, answers=answers(consultation, "yes", "1")
        )
    assert consultation_close_due() == []
    second = questions(consultation)[1]
    ballot_cast(
        actor=members[0], poll=second.poll, option_ids=answers(consultation, "no", "1")[second.pk]
    )
    with django_capture_on_commit_callbacks(execute=True):
        closed = consultation_close_due()
    assert [c.pk for c in closed] == [consultation.pk]
    assert consultation_unanswered(consultation) == []


def test_closing_decides_each_question_by_the_rule(committee, django_capture_on_commit_callbacks):
    _body, clerk, chair, members = committee
    consultation = two_questions(committee, django_capture_on_commit_callbacks)
    # Question 1: 3 of 5 members in favour (more than half of all members: passed).
    # Question 2: 2, 1 and 0 votes for the three places (none has more than half: not passed).
    for voter, keys in (
        (chair, ("yes", "1")),
        (members[0], ("yes", "1")),
        (members[1], ("yes", "2")),
    ):
        consultation_answer(
            actor=voter, consultation=consultation, answers=answers(consultation, *keys)
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        consultation_close_now(actor=clerk, consultation=consultation)
    first, second = (q.poll for q in questions(consultation))
    assert first.status == second.status == PollStatus.CLOSED
    assert first.result["passed"] and first.result["explanation"].startswith("Thông qua: 3/5")
    assert not second.result["passed"]
    counts = {o["label"]: (o["count"], o["percent"]) for o in second.result["options"]}
    assert counts[PLACES[0]] == (2, "40,00%") and counts[PLACES[2]] == (0, "0,00%")
    event = AuditEvent.objects.get(verb="consultation.closed")
    assert event.details == {"answered": 3}
    assert AuditEvent.objects.filter(verb="poll.closed").count() == 2
    body = mail.outbox[0].body
    assert "Câu 1. Thông qua dự thảo Quyết định" in body and "Câu 2. Chọn một" in body
    assert "Không thông qua" in body


def test_the_invitation_lists_every_question_and_its_options(
    committee, django_capture_on_commit_callbacks
):
    two_questions(committee, django_capture_on_commit_callbacks)
    body = mail.outbox[0].body
    assert "Câu 1. Thông qua dự thảo Quyết định ban hành Kế hoạch tổ chức hội nghị" in body
    assert "Câu 2. Chọn một trong ba phương án địa điểm (chọn một phương án)" in body
    assert all(f"- {place}" in body for place in PLACES)
    assert "Hạn trả lời" in body


def test_answers_after_the_deadline_are_refused_for_every_question(
    committee, django_capture_on_commit_callbacks
):
    _body, _clerk, chair, _members = committee
    consultation = two_questions(committee, django_capture_on_commit_callbacks)
    consultation.deadline -= timedelta(days=2)
    consultation.save()
    with pytest.raises(ValidationError, match="hết hạn"):
        consultation_answer(
            actor=chair, consultation=consultation, answers=answers(consultation, "yes", "1")
        )
    assert not Ballot.objects.exists()
