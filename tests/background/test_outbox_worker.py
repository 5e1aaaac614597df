"""Mail queued by a request is sent by a separate worker process, through SMTP outages."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import Clearance
from background.models import MailStatus, OutboxMail
from background.outbox import mail_queue_plain
from meetings.voting.consultations import consultation_create, consultation_send
from tests.background.helpers import run_worker
from tests.factories import make_body, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _queue_for(*users):
    return mail_queue_plain(
        topic="signing-request:1",
        purpose="notice",
        subject="[KyHop] Văn bản chờ ký",
        body="Đồng chí có một văn bản chờ ký.",
        users=users,
    )


def test_queueing_sends_nothing_until_a_worker_process_runs_the_tasks(database_tasks, smtp_server):
    users = [make_user(username=f"nhan{i}", email=f"nhan{i}@example.vn") for i in range(3)]
    _queue_for(*users)
    assert smtp_server.received == []
    assert DBTaskResult.objects.filter(status="READY").count() == 3
    result = run_worker(smtp_server)
    assert result.returncode == 0, result.stderr
    assert sorted(rcpt[0] for rcpt, _ in smtp_server.received) == [u.email for u in users]
    assert smtp_server.connections == 1  # the worker keeps its connection from mail to mail
    message = message_from_bytes(smtp_server.received[0][1], policy=policy.default)
    assert message["Subject"] == "[KyHop] Văn bản chờ ký"
    assert set(OutboxMail.objects.values_list("status", flat=True)) == {MailStatus.SENT}
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 3


def test_a_refusing_smtp_server_leads_to_retries_then_every_mail_arrives(
    database_tasks, smtp_server
):
    smtp_server.refuse = 3  # temporarily down for the first three attempts
    users = [make_user(username=f"thu{i}", email=f"thu{i}@example.vn") for i in range(2)]
    _queue_for(*users)
    result = run_worker(smtp_server)
    assert result.returncode == 0, result.stderr
    assert smtp_server.refused == 3
    assert sorted(rcpt[0] for rcpt, _ in smtp_server.received) == [u.email for u in users]
    mails = OutboxMail.objects.all()
    assert {m.status for m in mails} == {MailStatus.SENT}
    assert sum(m.attempts for m in mails) == 5  # 3 refused + 2 delivered, none lost or doubled


def test_a_mail_that_keeps_failing_is_failed_with_the_servers_answer(database_tasks, smtp_server):
    smtp_server.refuse = 100
    _queue_for(make_user(username="hong", email="hong@example.vn"))
    result = run_worker(smtp_server, KYHOP_MAIL_RETRY_DELAYS="0,0")
    assert result.returncode == 0, result.stderr
    mail = OutboxMail.objects.get()
    assert mail.status == MailStatus.FAILED and mail.attempts == 3
    assert "451" in mail.last_error
    failed = DBTaskResult.objects.get(status="FAILED")
    assert failed.exception_class_path == "background.outbox.MailNotDelivered"
    assert smtp_server.received == []


def test_a_secret_consultation_reaches_only_cleared_members_through_the_worker(
    database_tasks, smtp_server
):
    body = make_body(name="Ủy ban nhân dân huyện Tiên Du", symbol="UBND")
    people = {}
    for username, role, clearance in (
        ("vanthu", "clerk", Clearance.SECRET),
        ("chutich", "chair", Clearance.SECRET),
        ("mat", "member", Clearance.SECRET),
        ("thuong", "member", Clearance.NORMAL),
    ):
        user = make_user(username=username, body=body, role=role, email=f"{username}@example.vn")
        user.clearance = clearance
        user.save(update_fields=["clearance"])
        people[username] = user
    consultation = consultation_create(
        actor=people["vanthu"],
        body=body,
        title="Phương án nhân sự",
        deadline=timezone.now() + timedelta(days=1),
        confidentiality=Clearance.SECRET,
    )
    consultation_send(actor=people["vanthu"], consultation=consultation)
    assert smtp_server.received == []  # the request only queued the consultation's task
    result = run_worker(smtp_server)
    assert result.returncode == 0, result.stderr
    assert sorted(rcpt[0] for rcpt, _ in smtp_server.received) == [
        "chutich@example.vn",
        "mat@example.vn",
    ]
    assert set(OutboxMail.objects.values_list("status", flat=True)) == {MailStatus.SENT}
