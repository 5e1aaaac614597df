"""Written consultation (phiếu lấy ý kiến): the same polls, sent to a body's members by e-mail
with a deadline, closed when the deadline passes or everyone has answered.

Built on ``ballots`` (casting, counting and the rules are the same code for a meeting and for a
consultation). The background tasks that mail and close consultations sit at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Body, Clearance, User, nfc
from audit.services import audit_record
from background.outbox import mail_queue_plain
from documents.models import Document
from meetings.access import organises_body, refuse
from meetings.consultation.selectors import (
    consultation_left_out,
    consultation_level,
    may_read_consultation,
    members_to_ask,
    recipients_cleared,
)
from meetings.models import (
    Ballot,
    Consultation,
    ConsultationRecipient,
    ConsultationStatus,
    PollKind,
    PollStatus,
    VotingRule,
)
from meetings.voting.ballots import (
    CastAck,
    ballot_cast,
    poll_build,
    poll_close,
    poll_mark_open,
)
from meetings.voting.quorum import rule_for_body


@transaction.atomic
def consultation_create(
    *,
    actor: User,
    body: Body,
    title: str,
    deadline: datetime,
    kind: str = PollKind.YES_NO_ABSTAIN,
    secret: bool = False,
    options: Sequence[str] | None = None,
    max_choices: int = 1,
    description: str = "",
    rule: VotingRule | None = None,
    confidentiality: int = Clearance.NORMAL,
) -> Consultation:
    """A draft consultation; nothing is sent until ``consultation_send``."""
    if not organises_body(actor, body):
        refuse(gettext("Chỉ lãnh đạo, văn thư hoặc thư ký của cơ quan mới được lấy ý kiến."))
    _check_level(actor, confidentiality)
    poll = poll_build(
        actor=actor,
        body=body,
        item=None,
        title=title,
        kind=kind,
        secret=secret,
        options=options,
        max_choices=max_choices,
        subject_name="",
        rule=rule,
        show_live_tally=False,
    )
    consultation = Consultation(
        body=body,
        title=nfc(title),
        description=nfc(description),
        deadline=deadline,
        confidentiality=confidentiality,
        poll=poll,
        created_by=actor,
    )
    consultation.full_clean()
    consultation.save()
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


@transaction.atomic
def consultation_send(*, actor: User, consultation: Consultation) -> Consultation:
    """Fix the recipients (the body's members cleared for it), open the poll, mail them.

    Members without the clearance are neither asked nor mailed; the audit event and the
    organiser's page name them (``consultation_left_out``)."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not organises_body(actor, consultation.body):
        refuse(
            gettext("Chỉ lãnh đạo, văn thư hoặc thư ký của cơ quan mới được gửi phiếu lấy ý kiến.")
        )
    if consultation.status != ConsultationStatus.DRAFT:
        refuse(gettext("Phiếu lấy ý kiến này đã được gửi."))
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
    poll = consultation.poll
    poll_mark_open(poll, actor, poll.rule or rule_for_body(consultation.body))
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
        },
    )
    _mail_after_commit(consultation.pk, "invite")
    return consultation


def _mail_after_commit(consultation_id: int, purpose: str, round_key: str = "") -> None:
    """Mail goes out only for a send that committed; the worker queues it in the outbox."""
    transaction.on_commit(lambda: consultation_mail.enqueue(consultation_id, purpose, round_key))


def consultation_answer(
    *, actor: User, consultation: Consultation, option_ids: Sequence[Any]
) -> CastAck:
    """A member answers; the same rules as a vote (one answer, idempotent retry)."""
    if consultation.status != ConsultationStatus.SENT:
        refuse(gettext("Phiếu lấy ý kiến không còn nhận trả lời."))
    return ballot_cast(actor=actor, poll=consultation.poll, option_ids=option_ids)


def _answered_count(consultation: Consultation) -> int:
    poll = consultation.poll
    return (poll.receipts if poll.secret else poll.ballots).count()


def consultation_close_due(*, now: datetime | None = None) -> list[Consultation]:
    """Close every consultation past its deadline or fully answered; returns those closed."""
    now = now or timezone.now()
    sent = Consultation.objects.filter(status=ConsultationStatus.SENT).annotate(
        asked=Count("recipients", distinct=True),
        named=Count("poll__ballots", distinct=True),
        secret=Count("poll__receipts", distinct=True),
    )
    due = sent.filter(Q(deadline__lte=now) | Q(named__gte=F("asked")) | Q(secret__gte=F("asked")))
    return [_close_one(consultation) for consultation in due]


@transaction.atomic
def _close_one(consultation: Consultation) -> Consultation:
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status != ConsultationStatus.SENT:
        return consultation  # closed meanwhile by another run
    if consultation.poll.status == PollStatus.OPEN:
        poll_close(actor=None, poll=consultation.poll)
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
    """Mail those who have not answered yet; returns how many were reminded."""
    if consultation.status != ConsultationStatus.SENT:
        return 0
    now = timezone.now()
    Consultation.objects.filter(pk=consultation.pk).update(last_reminded_at=now)
    audit_record(actor=None, verb="consultation.reminded", target=consultation)
    # One reminder per person and round: the round is the time it was asked for.
    _mail_after_commit(consultation.pk, "remind", now.isoformat())
    return len(_unanswered_recipients(consultation))


def _unanswered_recipients(consultation: Consultation) -> list[ConsultationRecipient]:
    poll = consultation.poll
    if poll.secret:
        answered = Q(user_id__in=poll.receipts.values("voter_id"))
    else:
        answered = Q(user_id__in=poll.ballots.values("voter_id"))
    recipients = consultation.recipients.exclude(answered).select_related("user")
    return list(recipients)


# --- Editing a draft, answering again, closing early -----------------------------------------


def _require_organiser(actor: User, consultation: Consultation) -> None:
    if not organises_body(actor, consultation.body):
        refuse(gettext("Chỉ lãnh đạo, văn thư hoặc thư ký của cơ quan mới được lấy ý kiến."))


@transaction.atomic
def consultation_update(
    *,
    actor: User,
    consultation: Consultation,
    title: str,
    deadline: datetime,
    kind: str = PollKind.YES_NO_ABSTAIN,
    secret: bool = False,
    options: Sequence[str] | None = None,
    max_choices: int = 1,
    description: str = "",
    confidentiality: int = Clearance.NORMAL,
) -> Consultation:
    """Rewrite a draft. The question is built afresh: a draft has no answers to keep."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    _require_organiser(actor, consultation)
    _check_level(actor, confidentiality)
    if consultation.status != ConsultationStatus.DRAFT:
        refuse(gettext("Phiếu lấy ý kiến đã gửi thì không sửa được nữa."))
    old_poll = consultation.poll
    consultation.poll = poll_build(
        actor=actor,
        body=consultation.body,
        item=None,
        title=title,
        kind=kind,
        secret=secret,
        options=options,
        max_choices=max_choices,
        subject_name="",
        rule=old_poll.rule,
        show_live_tally=False,
    )
    consultation.title = nfc(title)
    consultation.description = nfc(description)
    consultation.deadline = deadline
    consultation.confidentiality = confidentiality
    consultation.full_clean()
    consultation.save()
    old_poll.delete()
    audit_record(actor=actor, verb="consultation.updated", target=consultation)
    return consultation


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


@transaction.atomic
def consultation_answer_replace(
    *, actor: User, consultation: Consultation, option_ids: Sequence[Any]
) -> CastAck:
    """A member changes a named answer before the deadline: the old ballot goes, the new one
    is cast with the same checks. A secret answer cannot be found again, so it stays."""
    poll = consultation.poll
    if not poll.secret:
        Ballot.objects.filter(poll=poll, voter=actor).delete()
    return consultation_answer(actor=actor, consultation=consultation, option_ids=option_ids)


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
    """Those asked who have not answered yet (for the organiser's screen)."""
    return _unanswered_recipients(consultation)


# --- Mail ---------------------------------------------------------------------------------------

SUBJECTS = {
    "invite": "Phiếu lấy ý kiến: {title}",
    "remind": "Nhắc trả lời phiếu lấy ý kiến: {title}",
    "result": "Kết quả lấy ý kiến: {title}",
}


def _body_text(consultation: Consultation, purpose: str) -> str:
    deadline = timezone.localtime(consultation.deadline).strftime("%H:%M ngày %d/%m/%Y")
    if purpose == "result":
        result = consultation.poll.result or {}
        return f"{consultation.title}\n\n{result.get('explanation', '')}\n"
    return (
        f"{consultation.body.name} lấy ý kiến về: {consultation.title}\n\n"
        f"{consultation.description}\n\nHạn trả lời: {deadline}.\n"
        f"Vui lòng đăng nhập KyHop để trả lời.\n"
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
