"""Mail through the worker: queued per recipient, delivered by a task, retried, never lost.

A service queues one ``OutboxMail`` row per recipient and one delivery task per row, after its
transaction commits. The task builds the message when it runs (so a 2 MB agenda is read from
storage, not copied into the queue), hands it to the mail backend, and marks the row sent. An
SMTP server that is down or refuses for now leaves the row "retrying" and queues the task again
after a growing delay; after the last delay the row is "failed" with the server's answer and
the task itself fails, so the operations page shows it with a retry button.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import smtplib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import receiver
from django.tasks import default_task_backend, task
from django.utils import timezone
from django.utils.module_loading import import_string

from background.models import MailStatus, OutboxMail

# What a mail server or the network does when it is down or busy: worth another attempt.
TRANSIENT = (smtplib.SMTPException, OSError)


@dataclass(frozen=True)
class Recipient:
    user: Any
    address: str
    payload: dict[str, Any]
    key: str | None = None


def mail_queue(
    *,
    topic: str,
    purpose: str,
    subject: str,
    builder: str,
    recipients: Iterable[Recipient],
) -> list[OutboxMail]:
    """Queue one mail per recipient; a recipient whose key was already queued is skipped."""
    rows = [
        OutboxMail(
            topic=topic,
            purpose=purpose,
            key=r.key,
            user=r.user,
            address=r.address,
            subject=subject[:255],
            builder=builder,
            payload=r.payload,
        )
        for r in recipients
        if r.address
    ]
    keys = [row.key for row in rows if row.key]
    taken = set(OutboxMail.objects.filter(key__in=keys).values_list("key", flat=True))
    rows = [row for row in rows if row.key is None or row.key not in taken]
    with transaction.atomic():
        created = OutboxMail.objects.bulk_create(rows)
        # bulk_create gives primary keys back on SQLite and PostgreSQL.
        ids = [row.pk for row in created]
        transaction.on_commit(lambda: _enqueue_all(ids))
    return created


def mail_queue_plain(
    *, topic: str, purpose: str, subject: str, body: str, users: Iterable[Any], key: str = ""
) -> list[OutboxMail]:
    """A text-only mail to each user with an address (key: once per user for that key)."""
    return mail_queue(
        topic=topic,
        purpose=purpose,
        subject=subject,
        builder="background.outbox.plain_message",
        recipients=[
            Recipient(
                user=user,
                address=user.email,
                payload={"body": body},
                key=f"{key}:{user.pk}" if key else None,
            )
            for user in users
            if user.email
        ],
    )


def plain_message(mail: OutboxMail) -> EmailMessage:
    return EmailMessage(subject=mail.subject, body=mail.payload.get("body", ""), to=[mail.address])


def _enqueue_all(ids: list[int]) -> None:
    for mail_id in ids:
        mail_deliver.enqueue(mail_id=mail_id)


def _retry_delay(attempts: int) -> dt.timedelta | None:
    """The wait before the next attempt, or None when the attempts are used up."""
    delays = settings.KYHOP_MAIL_RETRY_DELAYS
    if attempts > len(delays):
        return None
    return dt.timedelta(seconds=delays[attempts - 1])


def _requeue(mail_id: int, delay: dt.timedelta) -> None:
    if default_task_backend.supports_defer:
        mail_deliver.using(run_after=timezone.now() + delay).enqueue(mail_id=mail_id)
    else:
        # The inline backend of the test suite cannot wait: it tries again at once.
        mail_deliver.enqueue(mail_id=mail_id)


class MailNotDelivered(Exception):
    """The last attempt failed: the task fails so the operations page shows it."""


# This thread's mail backend, kept from one mail to the next with its SMTP connection open:
# ``mailers.default`` makes a new backend (so a new connection) at every access. A change of
# the mail settings (tests) starts a new generation, and each thread then makes a new one.
_kept = threading.local()
_generation = 0


@receiver(setting_changed)
def _mail_settings_changed(setting: str, **_kwargs: Any) -> None:
    global _generation
    if setting in {"MAILERS", "EMAIL_BACKEND"}:
        _generation += 1


def _mailer() -> Any:
    if getattr(_kept, "generation", None) != _generation:
        if getattr(_kept, "backend", None) is not None:
            _close_quietly(_kept.backend)
        _kept.backend, _kept.generation = mailers.default, _generation
    return _kept.backend


def mail_send_one(mail: OutboxMail, build: Callable[[OutboxMail], EmailMessage]) -> None:
    message = build(mail)
    message.to = [mail.address]
    backend = _mailer()
    try:
        # The connection stays open for the next mail (send_messages closes only what it
        # opened): connecting and greeting for every message cost more than the message.
        backend.open()
        try:
            backend.send_messages([message])
        except smtplib.SMTPServerDisconnected:
            # The server dropped the kept connection while the worker was idle: a fresh one.
            _close_quietly(backend)
            backend.send_messages([message])
    except BaseException:
        # Whatever went wrong, the next attempt starts from a new connection.
        _close_quietly(backend)
        raise


def _close_quietly(backend: Any) -> None:
    with contextlib.suppress(Exception):
        backend.close()


def mail_deliver_now(*, mail_id: int) -> str:
    """One attempt at one mail; returns the row's new status.

    Nothing is written before the attempt: the task row, claimed by one worker, already keeps
    two runs apart, so the attempt is counted together with its outcome in one write (on
    SQLite a write takes the database's only write lock, which the other workers wait for).
    A worker that dies while sending leaves its task "running" on the operations page.
    """
    mail = OutboxMail.objects.select_related("user").filter(pk=mail_id).first()
    if mail is None or mail.status == MailStatus.SENT:
        return MailStatus.SENT  # sent already by an earlier run of the same task
    mail.attempts += 1
    try:
        mail_send_one(mail, import_string(mail.builder))
    except TRANSIENT as error:
        return _after_failure(mail, error)
    except Exception as error:
        # Not the server's doing (a builder that cannot build): counted, shown, and the task
        # fails so that staff see it; no retry would help.
        mail.last_error = f"{type(error).__name__}: {error}"[:2000]
        mail.save(update_fields=["attempts", "last_error", "updated_at"])
        raise
    mail.status = MailStatus.SENT
    mail.sent_at = timezone.now()
    mail.last_error = ""
    mail.save(update_fields=["status", "attempts", "sent_at", "last_error", "updated_at"])
    return mail.status


def _after_failure(mail: OutboxMail, error: BaseException) -> str:
    mail.last_error = f"{type(error).__name__}: {error}"[:2000]
    delay = _retry_delay(mail.attempts)
    mail.status = MailStatus.FAILED if delay is None else MailStatus.RETRYING
    mail.save(update_fields=["status", "attempts", "last_error", "updated_at"])
    if delay is None:
        raise MailNotDelivered(f"{mail.address}: {mail.last_error}") from error
    transaction.on_commit(lambda: _requeue(mail.pk, delay))
    return mail.status


@task
def mail_deliver(mail_id: int) -> str:
    """The worker's job for one outbox row (arguments stay JSON-simple: the row's id)."""
    return mail_deliver_now(mail_id=mail_id)


def mail_retry(*, mail: OutboxMail) -> OutboxMail:
    """Staff asked to try a failed mail again: a fresh set of attempts."""
    mail.status = MailStatus.QUEUED
    mail.attempts = 0
    mail.save(update_fields=["status", "attempts", "updated_at"])
    transaction.on_commit(lambda: mail_deliver.enqueue(mail_id=mail.pk))
    return mail


def outbox_for(topic: str) -> QuerySet[OutboxMail]:
    """A page's mail, newest first, with the recipient's name."""
    return (
        OutboxMail.objects.filter(topic=topic).select_related("user").order_by("-created_at", "-pk")
    )
