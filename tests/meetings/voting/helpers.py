"""Plain builders of the consultation tests (and of the schedule's, which runs their jobs)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import Body, User
from meetings.models import Consultation, Poll, PollOption
from meetings.models.voting import ConsultationQuestion
from meetings.voting.consultations import (
    consultation_create,
    consultation_question_add,
    consultation_send,
)
from tests.factories import make_body, make_user

Committee = tuple[Body, User, User, list[User]]  # the body, its clerk, its chair, four members


def consultation_committee() -> Committee:
    """A district committee of five with mail addresses: a clerk, a chair, four members."""
    body = make_body(name="Ủy ban nhân dân huyện Tiên Du", symbol="UBND", total_members=5)
    clerk = make_user(full_name="Lê Văn Thư", body=body, role="clerk", email="vt@example.vn")
    chair = make_user(full_name="Ngô Chủ Tịch", body=body, role="chair", email="ct@example.vn")
    members = [
        make_user(full_name=f"Thành Viên {n}", body=body, role="member", email=f"tv{n}@example.vn")
        for n in range(4)
    ]
    return body, clerk, chair, members


def sent_consultation(
    committee: Committee, capture_on_commit: Any, *, secret: bool = False, hours: int = 24
) -> Consultation:
    """The clerk's consultation on the draft working rules, sent (its mail queued on commit,
    which *capture_on_commit*, pytest-django's fixture, runs), due in *hours*."""
    body, clerk, _chair, _members = committee
    consultation = consultation_create(
        actor=clerk,
        body=body,
        title="Ý kiến về dự thảo quy chế làm việc",
        deadline=timezone.now() + timedelta(hours=hours),
        secret=secret,
    )
    with capture_on_commit(execute=True):
        return consultation_send(actor=clerk, consultation=consultation)


def questions(consultation: Consultation) -> list[ConsultationQuestion]:
    return list(consultation.questions.select_related("poll").order_by("order"))


def first_poll(consultation: Consultation) -> Poll:
    """Question no. 1's poll (a consultation made by ``consultation_create`` alone has one)."""
    return questions(consultation)[0].poll


def answers(consultation: Consultation, *keys: str | list[str]) -> dict[int, list[int]]:
    """question id → option ids, from the option keys given in question order ("yes", "1",
    or a list of keys for a several-of-N question)."""
    asked = questions(consultation)
    assert len(keys) == len(asked), "one answer per question"
    chosen = {}
    for question, key in zip(asked, keys, strict=True):
        wanted = [key] if isinstance(key, str) else key
        options = PollOption.objects.filter(poll=question.poll, key__in=wanted)
        chosen[question.pk] = list(options.values_list("pk", flat=True))
    return chosen


PLACES = ["Hội trường UBND huyện", "Nhà văn hóa trung tâm", "Trung tâm hội nghị tỉnh"]


def two_questions(
    committee: Committee, capture_on_commit: Any, *, secret: bool = False, send: bool = True
) -> Consultation:
    """A consultation asking two things — a yes/no on the draft decision and one of three
    places — sent (mail run by *capture_on_commit*) unless *send* is False."""
    body, clerk, _chair, _members = committee
    consultation = consultation_create(
        actor=clerk,
        body=body,
        title="Tổ chức hội nghị tổng kết năm 2026",
        question="Thông qua dự thảo Quyết định ban hành Kế hoạch tổ chức hội nghị",
        deadline=timezone.now() + timedelta(hours=24),
        secret=secret,
    )
    consultation_question_add(
        actor=clerk,
        consultation=consultation,
        title="Chọn một trong ba phương án địa điểm",
        kind="one_of_n",
        options=PLACES,
    )
    if not send:
        return consultation
    with capture_on_commit(execute=True):
        return consultation_send(actor=clerk, consultation=consultation)
