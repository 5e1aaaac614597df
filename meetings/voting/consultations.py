"""Written consultation (phiếu lấy ý kiến): the same polls, sent to a body's members by e-mail
with a deadline, closed when the deadline passes or everyone has answered.

Built on ``ballots`` (casting, counting and the rules are the same code for a meeting and for a
consultation). The background tasks that mail and close consultations sit at the end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Body, Clearance, User, nfc
from audit.services import audit_record
from background.outbox import mail_queue_plain
from documents.models import Document
from meetings.access import organises_body, refuse
from meetings.consultation.selectors import (
    answered_user_ids,
    consultation_answer_refusal,
    consultation_left_out,
    consultation_level,
    consultation_questions,
    has_answered,
    may_read_consultation,
    members_to_ask,
    recipients_cleared,
)
from meetings.models import (
    Ballot,
    Consultation,
    ConsultationRecipient,
    ConsultationStatus,
    Poll,
    PollKind,
    PollStatus,
    VoteReceipt,
    VotingRule,
)
from meetings.models.voting import ConsultationQuestion
from meetings.voting.ballots import ballot_cast, poll_build, poll_close, poll_mark_open
from meetings.voting.quorum import rule_for_body

# A confidence ballot rates a person at a meeting; a written consultation asks questions.
QUESTION_KINDS = (PollKind.YES_NO_ABSTAIN, PollKind.ONE_OF_N, PollKind.SEVERAL_OF_N)


@transaction.atomic
def consultation_create(
    *,
    actor: User,
    body: Body,
    title: str,
    deadline: datetime,
    question: str = "",
    kind: str = PollKind.YES_NO_ABSTAIN,
    secret: bool = False,
    options: Sequence[str] | None = None,
    max_choices: int = 1,
    description: str = "",
    rule: VotingRule | None = None,
    confidentiality: int = Clearance.NORMAL,
) -> Consultation:
    """A draft consultation with its question no. 1 (*question*, or the title itself when the
    consultation asks one thing); more questions are added while it is a draft. Nothing is sent
    until ``consultation_send``."""
    if not organises_body(actor, body):
        refuse(gettext("Chỉ lãnh đạo, văn thư hoặc thư ký của cơ quan mới được lấy ý kiến."))
    _check_level(actor, confidentiality)
    consultation = Consultation(
        body=body,
        title=nfc(title),
        description=nfc(description),
        deadline=deadline,
        confidentiality=confidentiality,
        secret=secret,
        created_by=actor,
    )
    consultation.full_clean()
    consultation.save()
    poll = _question_poll(
        actor=actor,
        consultation=consultation,
        title=question or title,
        kind=kind,
        options=options,
        max_choices=max_choices,
        rule=rule,
    )
    ConsultationQuestion.objects.create(consultation=consultation, poll=poll, order=1)
    audit_record(
        actor=actor,
        verb="consultation.created",
        target=consultation,
        details={
            "kind": kind,
            "secret": secret,
            "deadline": deadline,
            "confidentiality": confidentiality,
        },
    )
    return consultation


def _check_level(actor: User, confidentiality: int) -> None:
    if confidentiality not in Clearance.values:
        refuse(gettext("Độ mật không hợp lệ."))
    if not may_read_consultation(actor, confidentiality):
        refuse(gettext("Bạn chưa được phép đọc tài liệu ở độ mật này nên không lập phiếu được."))


def _question_poll(
    *,
    actor: User,
    consultation: Consultation,
    title: str,
    kind: str,
    options: Sequence[str] | None,
    max_choices: int,
    rule: VotingRule | None,
) -> Poll:
    """A question's poll: the consultation's secrecy, no live tally, opened when it is sent."""
    if kind not in QUESTION_KINDS:
        refuse(gettext("Hình thức trả lời không hợp lệ."))
    return poll_build(
        actor=actor,
        body=consultation.body,
        item=None,
        title=title,
        kind=kind,
        secret=consultation.secret,
        options=options,
        max_choices=max_choices,
        subject_name="",
        rule=rule,
        show_live_tally=False,
    )


def _polls(consultation: Consultation) -> list[Poll]:
    return [question.poll for question in consultation_questions(consultation)]


@transaction.atomic
def consultation_send(*, actor: User, consultation: Consultation) -> Consultation:
    """Fix the recipients (the body's members cleared for it), open every question, mail them.

    Members without the clearance are neither asked nor mailed; the audit event and the
    organiser's page name them (``consultation_left_out``)."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not organises_body(actor, consultation.body):
        refuse(
            gettext("Chỉ lãnh đạo, văn thư hoặc thư ký của cơ quan mới được gửi phiếu lấy ý kiến.")
        )
    if consultation.status != ConsultationStatus.DRAFT:
        refuse(gettext("Phiếu lấy ý kiến này đã được gửi."))
    polls = _polls(consultation)
    if not polls:
        refuse(gettext("Phiếu chưa có câu hỏi nào. Hãy thêm ít nhất một câu hỏi rồi gửi."))
    if consultation.deadline <= timezone.now():
        refuse(gettext("Hạn trả lời phải ở sau thời điểm gửi."))
    members = list(members_to_ask(consultation).values_list("user_id", flat=True).distinct())
    if not members:
        if consultation_left_out(consultation):
            refuse(
                gettext(
                    "Không thành viên nào của cơ quan được phép đọc nội dung có độ mật của phiếu."
                )
            )
        refuse(gettext("Cơ quan chưa có thành viên để lấy ý kiến."))
    left_out = consultation_left_out(consultation)
    ConsultationRecipient.objects.bulk_create(
        ConsultationRecipient(consultation=consultation, user_id=uid) for uid in members
    )
    body_rule = rule_for_body(consultation.body)
    for poll in polls:  # each question is decided by its own copy of the rule
        poll_mark_open(poll, actor, poll.rule or body_rule)
        poll.save()
    consultation.status = ConsultationStatus.SENT
    consultation.sent_at = timezone.now()
    consultation.save()
    audit_record(
        actor=actor,
        verb="consultation.sent",
        target=consultation,
        details={
            "recipients": len(members),
            "level": consultation_level(consultation),
            "left_out": len(left_out),
            "questions": len(polls),
        },
    )
    _mail_after_commit(consultation.pk, "invite")
    return consultation


def _mail_after_commit(consultation_id: int, purpose: str, round_key: str = "") -> None:
    """Mail goes out only for a send that committed; the worker queues it in the outbox."""
    transaction.on_commit(lambda: consultation_mail.enqueue(consultation_id, purpose, round_key))


# --- Answering: every question in one submission -------------------------------------------


@dataclass(frozen=True)
class ConsultationAck:
    """What the member's screen says after a submission; never which options a secret
    answer chose."""

    already_recorded: bool
    message: str


def _missing_text(numbers: Sequence[int]) -> str:
    return gettext(
        "Bạn chưa trả lời câu %(numbers)s. Hãy trả lời tất cả các câu hỏi rồi gửi lại; "
        "chưa có ý kiến nào được ghi nhận."
    ) % {"numbers": ", ".join(str(n) for n in numbers)}


@transaction.atomic
def consultation_answer(
    *, actor: User, consultation: Consultation, answers: Mapping[int, Sequence[Any]]
) -> ConsultationAck:
    """A member answers every question at once: *answers* maps each question's id to the
    options chosen. All or nothing: a question left empty, or any answer refused, writes
    nothing. Each ballot follows the rules of a vote (one answer, idempotent retry)."""
    if consultation.status != ConsultationStatus.SENT:
        refuse(gettext("Phiếu lấy ý kiến không còn nhận trả lời."))
    problem = consultation_answer_refusal(actor, consultation)
    if problem:
        refuse(problem)
    if consultation.secret and has_answered(actor, consultation):
        # Nothing links a secret answer to its voter, so a repeat cannot be compared.
        return ConsultationAck(
            True, gettext("Phiếu kín của bạn đã được ghi nhận trước đó; không thể thay đổi.")
        )
    questions = consultation_questions(consultation)
    if set(answers) - {question.pk for question in questions}:
        refuse(gettext("Câu hỏi không thuộc phiếu lấy ý kiến này."))
    missing = [question.order for question in questions if not answers.get(question.pk)]
    if missing:
        refuse(_missing_text(missing))
    acks = []
    for question in questions:
        try:
            acks.append(
                ballot_cast(actor=actor, poll=question.poll, option_ids=answers[question.pk])
            )
        except ValidationError as exc:
            # The outer transaction rolls back the questions already cast.
            refuse(
                gettext("Câu %(number)d: %(problem)s")
                % {"number": question.order, "problem": " ".join(exc.messages)}
            )
    if all(ack.already_recorded for ack in acks):
        return ConsultationAck(True, acks[0].message)
    return ConsultationAck(False, gettext("Đã ghi nhận phiếu của bạn."))


@transaction.atomic
def consultation_answer_replace(
    *, actor: User, consultation: Consultation, answers: Mapping[int, Sequence[Any]]
) -> ConsultationAck:
    """A member changes a named answer before the deadline: the old ballots go, the new ones
    are cast with the same checks, in one transaction (a refusal keeps the old answer). A
    secret answer cannot be found again, so it stays."""
    if not consultation.secret:
        Ballot.objects.filter(
            poll__consultation_question__consultation=consultation, voter=actor
        ).delete()
    return consultation_answer(actor=actor, consultation=consultation, answers=answers)


def _answered_count(consultation: Consultation) -> int:
    return answered_user_ids(consultation).count()


def _answers_of(table: type[Ballot] | type[VoteReceipt]) -> Coalesce:
    """A consultation's answers to all its questions (ballots or secret receipts), counted."""
    rows = (
        table.objects.filter(poll__consultation_question__consultation=OuterRef("pk"))
        .order_by()
        .values("poll__consultation_question__consultation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def consultation_close_due(*, now: datetime | None = None) -> list[Consultation]:
    """Close every consultation past its deadline or fully answered; returns those closed.

    Fully answered: one answer per question from each person asked. A poll takes at most one
    answer per person, from those asked only, so the total reaches asked × questions exactly
    when everyone has answered everything."""
    now = now or timezone.now()
    sent = Consultation.objects.filter(status=ConsultationStatus.SENT).annotate(
        asked=Count("recipients", distinct=True),
        asked_questions=Count("questions", distinct=True),
        named=_answers_of(Ballot),
        secret_answers=_answers_of(VoteReceipt),
    )
    everything = F("asked") * F("asked_questions")
    answered = Q(asked_questions__gt=0) & (
        Q(named__gte=everything) | Q(secret_answers__gte=everything)
    )
    due = sent.filter(Q(deadline__lte=now) | answered)
    return [_close_one(consultation) for consultation in due]


@transaction.atomic
def _close_one(consultation: Consultation) -> Consultation:
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status != ConsultationStatus.SENT:
        return consultation  # closed meanwhile by another run
    for poll in _polls(consultation):
        if poll.status == PollStatus.OPEN:
            poll_close(actor=None, poll=poll)
    consultation.status = ConsultationStatus.CLOSED
    consultation.closed_at = timezone.now()
    consultation.save()
    audit_record(
        actor=None,
        verb="consultation.closed",
        target=consultation,
        details={"answered": _answered_count(consultation)},
    )
    _mail_after_commit(consultation.pk, "result")
    return consultation


@transaction.atomic
def consultation_remind(*, consultation: Consultation) -> int:
    """Mail those who have not answered every question yet; returns how many were reminded."""
    if consultation.status != ConsultationStatus.SENT:
        return 0
    now = timezone.now()
    Consultation.objects.filter(pk=consultation.pk).update(last_reminded_at=now)
    audit_record(actor=None, verb="consultation.reminded", target=consultation)
    # One reminder per person and round: the round is the time it was asked for.
    _mail_after_commit(consultation.pk, "remind", now.isoformat())
    return len(_unanswered_recipients(consultation))


def _unanswered_recipients(consultation: Consultation) -> list[ConsultationRecipient]:
    answered = answered_user_ids(consultation)
    recipients = consultation.recipients.exclude(user_id__in=answered).select_related("user")
    return list(recipients)


# --- Editing a draft: the consultation and its questions; closing early ---------------------


def _require_organiser(actor: User, consultation: Consultation) -> None:
    if not organises_body(actor, consultation.body):
        refuse(gettext("Chỉ lãnh đạo, văn thư hoặc thư ký của cơ quan mới được lấy ý kiến."))


def _locked_draft(actor: User, consultation: Consultation) -> Consultation:
    """The consultation, locked for this transaction, once the actor may still change it."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    _require_organiser(actor, consultation)
    if consultation.status != ConsultationStatus.DRAFT:
        refuse(gettext("Phiếu lấy ý kiến đã gửi thì không sửa được nữa."))
    return consultation


@transaction.atomic
def consultation_update(
    *,
    actor: User,
    consultation: Consultation,
    title: str,
    deadline: datetime,
    secret: bool = False,
    description: str = "",
    confidentiality: int = Clearance.NORMAL,
) -> Consultation:
    """Rewrite a draft's own fields; its questions are edited one by one. Secrecy is the
    consultation's, so every question follows it."""
    consultation = _locked_draft(actor, consultation)
    _check_level(actor, confidentiality)
    consultation.title = nfc(title)
    consultation.description = nfc(description)
    consultation.deadline = deadline
    consultation.secret = secret
    consultation.confidentiality = confidentiality
    consultation.full_clean()
    consultation.save()
    Poll.objects.filter(consultation_question__consultation=consultation).update(secret=secret)
    audit_record(actor=actor, verb="consultation.updated", target=consultation)
    return consultation


@transaction.atomic
def consultation_question_add(
    *,
    actor: User,
    consultation: Consultation,
    title: str,
    kind: str = PollKind.YES_NO_ABSTAIN,
    options: Sequence[str] | None = None,
    max_choices: int = 1,
) -> ConsultationQuestion:
    """A new last question of a draft, under the same rule as the others."""
    consultation = _locked_draft(actor, consultation)
    questions = consultation_questions(consultation)
    poll = _question_poll(
        actor=actor,
        consultation=consultation,
        title=title,
        kind=kind,
        options=options,
        max_choices=max_choices,
        rule=questions[0].poll.rule if questions else None,
    )
    question = ConsultationQuestion.objects.create(
        consultation=consultation, poll=poll, order=len(questions) + 1
    )
    audit_record(
        actor=actor,
        verb="consultation.question_added",
        target=consultation,
        details={"question": question.order, "kind": kind},
    )
    return question


@transaction.atomic
def consultation_question_update(
    *,
    actor: User,
    question: ConsultationQuestion,
    title: str,
    kind: str = PollKind.YES_NO_ABSTAIN,
    options: Sequence[str] | None = None,
    max_choices: int = 1,
) -> ConsultationQuestion:
    """Rewrite a draft's question. Its poll is built afresh: a draft has no answers to keep."""
    consultation = _locked_draft(actor, question.consultation)
    question = ConsultationQuestion.objects.select_related("poll").get(
        pk=question.pk, consultation=consultation
    )
    old_poll = question.poll
    question.poll = _question_poll(
        actor=actor,
        consultation=consultation,
        title=title,
        kind=kind,
        options=options,
        max_choices=max_choices,
        rule=old_poll.rule,
    )
    question.save(update_fields=["poll"])
    old_poll.delete()
    audit_record(
        actor=actor,
        verb="consultation.question_updated",
        target=consultation,
        details={"question": question.order, "kind": kind},
    )
    return question


def _renumber(consultation: Consultation, ordered: Sequence[ConsultationQuestion]) -> None:
    """Number *ordered* 1, 2, 3…; out of the way first, so the unique order never clashes."""
    consultation.questions.update(order=F("order") + 1000)
    for number, question in enumerate(ordered, start=1):
        question.order = number
        question.save(update_fields=["order"])


@transaction.atomic
def consultation_question_move(
    *, actor: User, question: ConsultationQuestion, direction: str
) -> ConsultationQuestion:
    """Move a draft's question one place up or down (the tablet-friendly buttons)."""
    if direction not in {"up", "down"}:
        refuse(gettext("Hướng di chuyển không hợp lệ."))
    consultation = _locked_draft(actor, question.consultation)
    questions = consultation_questions(consultation)
    ids = [q.pk for q in questions]
    index = ids.index(question.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(questions):
        return questions[index]  # already first or last
    before = questions[index].order
    questions[index], questions[target] = questions[target], questions[index]
    _renumber(consultation, questions)
    moved = questions[target]
    audit_record(
        actor=actor,
        verb="consultation.question_moved",
        target=consultation,
        details={"from": before, "to": moved.order},
    )
    return moved


@transaction.atomic
def consultation_question_remove(*, actor: User, question: ConsultationQuestion) -> None:
    """Take a question out of a draft (with its poll); the others close up the numbering."""
    consultation = _locked_draft(actor, question.consultation)
    questions = consultation_questions(consultation)
    removed = next((q for q in questions if q.pk == question.pk), None)
    if removed is None:
        refuse(gettext("Câu hỏi không thuộc phiếu lấy ý kiến này."))
    rest = [q for q in questions if q.pk != removed.pk]
    removed.delete()
    removed.poll.delete()
    _renumber(consultation, rest)
    audit_record(
        actor=actor,
        verb="consultation.question_removed",
        target=consultation,
        details={"question": removed.order, "title": removed.poll.title},
    )


@transaction.atomic
def consultation_documents_set(
    *, actor: User, consultation: Consultation, documents: Sequence[Document]
) -> None:
    """Attach the body's documents to a draft (the caller offers only the body's own)."""
    _require_organiser(actor, consultation)
    if consultation.status != ConsultationStatus.DRAFT:
        refuse(gettext("Phiếu lấy ý kiến đã gửi thì không sửa được nữa."))
    foreign = [
        d for d in documents if consultation.body_id not in (d.owning_body_id, d.issuing_body_id)
    ]
    if foreign:
        refuse(gettext("Chỉ đính kèm được văn bản của cơ quan."))
    consultation.documents.set(documents)


def consultation_close_now(*, actor: User, consultation: Consultation) -> Consultation:
    """The organiser closes before the deadline; the same closing as the scheduled one."""
    _require_organiser(actor, consultation)
    if consultation.status != ConsultationStatus.SENT:
        refuse(gettext("Chỉ kết thúc được phiếu đang lấy ý kiến."))
    return _close_one(consultation)


def consultation_remind_by(*, actor: User, consultation: Consultation) -> int:
    """The organiser asks for a reminder now; the scheduled reminder does the same."""
    _require_organiser(actor, consultation)
    if consultation.status != ConsultationStatus.SENT:
        refuse(gettext("Chỉ nhắc được phiếu đang lấy ý kiến."))
    return consultation_remind(consultation=consultation)


def consultation_unanswered(consultation: Consultation) -> list[ConsultationRecipient]:
    """Those asked who have not answered every question yet (for the organiser's screen)."""
    return _unanswered_recipients(consultation)


# --- Mail ---------------------------------------------------------------------------------------

SUBJECTS = {
    "invite": "Phiếu lấy ý kiến: {title}",
    "remind": "Nhắc trả lời phiếu lấy ý kiến: {title}",
    "result": "Kết quả lấy ý kiến: {title}",
}


def _question_lines(consultation: Consultation, purpose: str) -> list[str]:
    """Each question, numbered: what it asks (the options of a choice), or how it ended."""
    lines = []
    for question in consultation_questions(consultation):
        poll = question.poll
        if purpose == "result":
            result = poll.result or {}
            verdict = "Thông qua" if result.get("passed") else "Không thông qua"
            lines.append(
                f"Câu {question.order}. {poll.title}: {verdict}. {result.get('explanation', '')}"
            )
            continue
        lines.append(f"Câu {question.order}. {poll.title} ({poll.get_kind_display().lower()})")
        if poll.kind != PollKind.YES_NO_ABSTAIN:
            lines += [f"   - {option.label}" for option in poll.options.all()]
    return lines


def _body_text(consultation: Consultation, purpose: str) -> str:
    deadline = timezone.localtime(consultation.deadline).strftime("%H:%M ngày %d/%m/%Y")
    questions = "\n".join(_question_lines(consultation, purpose))
    if purpose == "result":
        return f"{consultation.title}\n\n{questions}\n"
    description = f"{consultation.description}\n\n" if consultation.description else ""
    return (
        f"{consultation.body.name} lấy ý kiến về: {consultation.title}\n\n{description}"
        f"{questions}\n\nHạn trả lời: {deadline}.\n"
        f"Vui lòng đăng nhập KyHop để trả lời; mọi câu hỏi được trả lời trong một lần gửi.\n"
    )


def consultation_mail_send(*, consultation: Consultation, purpose: str, round_key: str = "") -> int:
    """Queue one purpose's mail in the outbox for those asked who may read it; returns how
    many were queued. Each (purpose, round, person) is queued once however often this runs."""
    cleared = recipients_cleared(consultation).values("user_id")
    if purpose == "remind":
        allowed = {row["user_id"] for row in cleared}
        recipients = [r for r in _unanswered_recipients(consultation) if r.user_id in allowed]
    else:
        recipients = list(
            consultation.recipients.filter(user_id__in=cleared).select_related("user")
        )
    key = f"consultation:{consultation.pk}:{purpose}" + (f":{round_key}" if round_key else "")
    queued = mail_queue_plain(
        topic=f"consultation:{consultation.pk}",
        purpose=f"consultation-{purpose}",
        subject=SUBJECTS[purpose].format(title=consultation.title),
        body=_body_text(consultation, purpose),
        users=[r.user for r in recipients],
        key=key,
    )
    if purpose == "invite":
        consultation.recipients.filter(user_id__in=cleared).update(notified_at=timezone.now())
    return len(queued)


# --- Background tasks (django.tasks: immediate in development, a worker in production) ------


@task
def consultation_mail(consultation_id: int, purpose: str, round_key: str = "") -> int:
    """Invitation, reminder or result mail for one consultation, queued per recipient in the
    outbox (background/outbox.py); arguments stay JSON-simple."""
    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is None:
        return 0
    return consultation_mail_send(consultation=consultation, purpose=purpose, round_key=round_key)


@task
def consultations_close_due() -> int:
    """Run periodically (cron or the worker's scheduler): close what is due."""
    return len(consultation_close_due())
