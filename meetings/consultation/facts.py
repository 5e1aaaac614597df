"""A closed consultation's result as the result sheet and the next meeting's minutes print it:
one entry per question, in order.

Read from the stored result of each question's poll (counted once, at closing), so the sheet
printed today and the minutes drafted next month say the same thing.
"""

from __future__ import annotations

from typing import Any

from accounts.models import Membership, Role
from meetings.consultation.selectors import answered_user_ids, consultation_questions
from meetings.models import BallotChoice, Consultation, ConsultationStatus, Meeting
from meetings.models.voting import ConsultationQuestion
from meetings.preparation.invitations import time_phrase


def _names_by_option(consultation: Consultation) -> dict[int, dict[str, list[str]]]:
    """poll id → option key → the names of those who chose it (named consultations only)."""
    if consultation.secret:
        return {}
    names: dict[int, dict[str, list[str]]] = {}
    choices = BallotChoice.objects.filter(
        ballot__poll__consultation_question__consultation=consultation
    ).order_by("ballot__voter__full_name")
    rows = choices.values_list("ballot__poll_id", "option__key", "ballot__voter__full_name")
    for poll_id, key, name in rows:
        names.setdefault(poll_id, {}).setdefault(key, []).append(name)
    return names


def question_facts(
    question: ConsultationQuestion, names: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    poll = question.poll
    result = poll.result or {}
    names = names or {}
    return {
        "number": question.order,
        "title": poll.title,
        "kind": poll.get_kind_display(),
        "max_choices": poll.max_choices,
        "cast": result.get("cast", 0),
        "passed": bool(result.get("passed")),
        "explanation": result.get("explanation", ""),
        "options": [
            {
                "label": option["label"],
                "count": option["count"],
                "percent": option["percent"],
                "voters": names.get(option["key"], []),
            }
            for option in result.get("options", [])
        ],
    }


def consultation_facts(consultation: Consultation) -> dict[str, Any]:
    names = _names_by_option(consultation)
    questions = consultation_questions(consultation)
    return {
        "id": consultation.pk,
        "title": consultation.title,
        "description": consultation.description,
        "secret": consultation.secret,
        "asked": consultation.recipients.count(),
        # Those who answered: every question, in one submission.
        "cast": answered_user_ids(consultation).count(),
        "questions": [question_facts(q, names.get(q.poll_id)) for q in questions],
        "sent_at": time_phrase(consultation.sent_at) if consultation.sent_at else "",
        "deadline": time_phrase(consultation.deadline),
        "closed_at": time_phrase(consultation.closed_at) if consultation.closed_at else "",
    }


def body_chair_name(consultation: Consultation) -> str:
    chair = (
        Membership.objects.filter(body=consultation.body, role=Role.CHAIR)
        .select_related("user")
        .first()
    )
    # A body without a chair on record: the sheet names who ran the consultation instead.
    return chair.user.full_name if chair else consultation.created_by.full_name


def consultations_for_minutes(meeting: Meeting) -> list[dict[str, Any]]:
    """Consultations of the host body closed since its previous meeting began, up to this one:
    the minutes of the next meeting record what was decided in writing in between, question
    by question."""
    previous = (
        Meeting.objects.filter(body_id=meeting.body_id, starts_at__lt=meeting.starts_at)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    closed = Consultation.objects.filter(
        body_id=meeting.body_id,
        status=ConsultationStatus.CLOSED,
        closed_at__lte=meeting.starts_at,
    )
    if previous is not None:
        closed = closed.filter(closed_at__gt=previous)
    return [consultation_facts(c) for c in closed.order_by("closed_at", "id")]
