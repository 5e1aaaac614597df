"""The migration to several questions: a consultation of the old kind (one poll) becomes one
whose question no. 1 is that poll, with its answers and its secrecy, and back again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from meetings.models import Ballot, Consultation, ConsultationStatus
from meetings.voting.consultations import consultation_close_now
from tests.factories import make_body, make_user

BEFORE = ("meetings", "0008_consultation_confidentiality")
AFTER = ("meetings", "0011_remove_consultation_poll")


def _migrate(target: tuple[str, str]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return MigrationExecutor(connection)


def _old_consultation(apps, body, clerk, member, *, secret: bool, title: str) -> int:
    """A consultation as KyHop kept it before: one poll, answered by *member*."""
    Poll = apps.get_model("meetings", "Poll")
    PollOption = apps.get_model("meetings", "PollOption")
    now = timezone.now()
    poll = Poll.objects.create(
        body_id=body.pk,
        title=title,
        kind="yes_no_abstain",
        secret=secret,
        status="open",
        rule_snapshot={},
        opened_at=now,
        created_by_id=clerk.pk,
    )
    yes = PollOption.objects.create(poll=poll, key="yes", label="Tán thành", position=0)
    PollOption.objects.create(poll=poll, key="no", label="Không tán thành", position=1)
    consultation = apps.get_model("meetings", "Consultation").objects.create(
        body_id=body.pk,
        title=title,
        deadline=now + timedelta(days=1),
        poll=poll,
        status="sent",
        sent_at=now,
        created_by_id=clerk.pk,
    )
    apps.get_model("meetings", "ConsultationRecipient").objects.create(
        consultation=consultation, user_id=member.pk
    )
    if secret:
        apps.get_model("meetings", "VoteReceipt").objects.create(
            poll=poll, voter_id=member.pk, cast_at=now
        )
        apps.get_model("meetings", "SecretChoice").objects.create(poll=poll, option=yes)
    else:
        ballot = apps.get_model("meetings", "Ballot").objects.create(
            poll=poll, voter_id=member.pk, cast_at=now
        )
        apps.get_model("meetings", "BallotChoice").objects.create(ballot=ballot, option=yes)
    return consultation.pk


@pytest.mark.django_db(transaction=True)
def test_each_old_consultations_poll_becomes_its_question_one():
    body = make_body(name="Ủy ban nhân dân huyện Tiên Du", symbol="UBND", total_members=1)
    clerk = make_user(full_name="Lê Văn Thư", body=body, role="clerk")
    member = make_user(full_name="Thành Viên", body=body, role="member")
    try:
        old = _migrate(BEFORE).loader.project_state([BEFORE]).apps
        named = _old_consultation(old, body, clerk, member, secret=False, title="Ý kiến ghi tên")
        secret = _old_consultation(old, body, clerk, member, secret=True, title="Ý kiến kín")
        polls = dict(old.get_model("meetings", "Consultation").objects.values_list("pk", "poll_id"))

        _migrate(AFTER)
        for pk, is_secret in ((named, False), (secret, True)):
            consultation = Consultation.objects.get(pk=pk)
            (question,) = consultation.questions.all()
            assert (question.order, question.poll_id) == (1, polls[pk])
            assert consultation.secret is is_secret and question.poll.secret is is_secret
        assert Ballot.objects.get().poll_id == polls[named]

        # The migrated consultation goes on with today's code: it closes with its answer.
        consultation = Consultation.objects.get(pk=named)
        consultation_close_now(actor=clerk, consultation=consultation)
        consultation.refresh_from_db()
        assert consultation.status == ConsultationStatus.CLOSED
        result = consultation.questions.get().poll.result
        assert {o["key"]: o["count"] for o in result["options"]}["yes"] == 1

        # And back: question no. 1 is the poll again.
        back = _migrate(BEFORE).loader.project_state([BEFORE]).apps
        rows = back.get_model("meetings", "Consultation").objects.values_list("pk", "poll_id")
        assert dict(rows) == polls
    finally:
        _migrate(AFTER)
