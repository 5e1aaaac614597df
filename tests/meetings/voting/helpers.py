"""Plain builders of the consultation tests (and of the schedule's, which runs their jobs)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import Body, User
from meetings.models import Consultation
from meetings.voting.consultations import consultation_create, consultation_send
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
