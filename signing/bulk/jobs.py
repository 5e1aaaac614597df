"""Bulk signing as a background job with live progress (ws/ky-so/tien-do/).

Why a thread of the web process, through the "signing" task backend (always immediate): the
job needs the passphrase, and a queued backend would write the task's arguments to the
database or Redis. So the view hands the passphrase to this module in memory (a one-shot
handoff keyed by the job id, never a task argument), starts a daemon thread and returns at
once; in that thread the task runs at once (ImmediateBackend) and takes the passphrase. The
HTTP request never waits for the signatures. The price: a job dies with its process; what it
stored is kept (each document is its own transaction), the rest stays waiting in the inbox.

The thread works in the language that was active when the job started (the signer's, chosen
by LocaleMiddleware): its outcomes and messages are shown to that signer only.

Progress goes to the signer's group (one per user) on the channel layer, as envelopes
``{type, seq, payload}`` with a sequence number per job: ``bulk.started``, one
``bulk.progress`` per document, then ``bulk.finished`` (or ``bulk.failed`` when the batch as a
whole was refused, e.g. a wrong passphrase). A socket that connects late, or sees a gap, gets a
``bulk.snapshot`` of the job from this process's memory.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import ValidationError
from django.db import connections
from django.tasks import task
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from accounts.models import User
from kyhop.realtime import envelope
from signing.bulk.services import BulkStepProgress, StepOutcome, batch_check, steps_sign_bulk
from signing.models import StepAssignee

logger = logging.getLogger(__name__)

PUBLISH_TIMEOUT = 5.0  # seconds; a layer slower than this loses the event, not the signature
EXPIRED = gettext_noop("Phiên ký đã hết hạn. Hãy chọn văn bản và ký lại.")
BUSY = gettext_noop("Bạn đang có một lượt ký hàng loạt chưa xong. Hãy chờ lượt đó kết thúc.")
FAILED = gettext_noop("Lỗi không mong đợi khi ký hàng loạt. Hãy tải lại trang.")


def progress_group(user_id: int) -> str:
    return f"ky-so.tien-do.{user_id}"


# --- The server's event loop, for publishing from a job thread --------------------------------

_loop: asyncio.AbstractEventLoop | None = None


def server_loop_remember(loop: asyncio.AbstractEventLoop) -> None:
    """Called by the consumer on connect. The in-memory channel layer's queues belong to the
    server's loop and are not thread-safe, so a job thread must send through that loop."""
    global _loop
    _loop = loop


async def _group_send(group: str, message: dict[str, Any]) -> None:
    await get_channel_layer().group_send(group, message)


def _publish(user_id: int, text: str) -> None:
    if get_channel_layer() is None:
        return
    group, message = progress_group(user_id), {"type": "signing.progress", "text": text}
    loop = _loop
    try:
        if loop is not None and loop.is_running():
            # Waiting keeps the events in order; the job thread is not the loop's thread.
            future = asyncio.run_coroutine_threadsafe(_group_send(group, message), loop)
            future.result(PUBLISH_TIMEOUT)
        else:
            async_to_sync(_group_send)(group, message)
    except (OSError, FutureTimeout, RuntimeError) as exc:
        # The signatures are stored whatever happens here; the page catches up by snapshot.
        logger.warning("Không gửi được tiến độ ký hàng loạt cho người dùng %s: %s", user_id, exc)


# --- Jobs ------------------------------------------------------------------------------------


@dataclass
class BulkJob:
    """One batch in this process: its documents, the outcomes so far, the last sequence number."""

    id: str
    user_id: int
    titles: dict[int, str]  # assignee id → the document's name, in the order selected
    language: str | None = None  # the signer's, when the job started; its messages use it
    outcomes: dict[int, StepOutcome] = field(default_factory=dict)
    seq: int = 0
    state: str = "running"  # running, finished, failed
    message: str = ""
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def total(self) -> int:
        return len(self.titles)

    def snapshot(self) -> dict[str, Any]:
        return {
            "job": self.id,
            "state": self.state,
            "message": self.message,
            "total": self.total,
            "done": len(self.outcomes),
            "items": [self._item(pk, title) for pk, title in self.titles.items()],
        }

    def _item(self, assignee_id: int, title: str) -> dict[str, Any]:
        outcome = self.outcomes.get(assignee_id)
        return {
            "assignee": assignee_id,
            "title": title,
            "state": "waiting" if outcome is None else ("ok" if outcome.ok else "failed"),
            "message": outcome.message if outcome else "",
            "version": outcome.version if outcome else None,
        }


class _Jobs:
    """The jobs of this process, the latest per user; at most one running per user."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_user: dict[int, BulkJob] = {}
        self._secrets: dict[str, str] = {}

    def create(
        self, user_id: int, titles: dict[int, str], passphrase: str, language: str | None = None
    ) -> BulkJob:
        with self._lock:
            current = self._by_user.get(user_id)
            if current is not None and current.state == "running":
                raise ValidationError(gettext(BUSY), code="busy")
            job = BulkJob(
                id=secrets.token_urlsafe(12), user_id=user_id, titles=titles, language=language
            )
            self._by_user[user_id] = job
            self._secrets[job.id] = passphrase
            return job

    def take_secret(self, job_id: str) -> str | None:
        """The passphrase, once: the job's own copy is the only one left afterwards."""
        with self._lock:
            return self._secrets.pop(job_id, None)

    def latest(self, user_id: int) -> BulkJob | None:
        with self._lock:
            return self._by_user.get(user_id)

    def get(self, job_id: str) -> BulkJob | None:
        with self._lock:
            return next((j for j in self._by_user.values() if j.id == job_id), None)

    def event(self, job: BulkJob, kind: str, payload: dict[str, Any]) -> None:
        with self._lock:
            job.seq += 1
            text = envelope(kind, job.seq, {"job": job.id, **payload})
        _publish(job.user_id, text)


jobs = _Jobs()


def job_snapshot_text(user_id: int) -> str:
    job = jobs.latest(user_id)
    if job is None:
        return envelope("bulk.snapshot", None, {"job": None})
    return envelope("bulk.snapshot", job.seq, job.snapshot())


# --- Running ---------------------------------------------------------------------------------


def bulk_job_start(*, actor: User, assignees: list[StepAssignee], passphrase: str) -> BulkJob:
    """Start signing *assignees* (already filtered to what waits for *actor*) in the
    background and return at once; progress follows on the signer's socket. The job's
    messages are in the language active now (the signer's)."""
    batch_check(assignees)
    titles = {a.pk: str(a.step.request.document) for a in assignees}
    job = jobs.create(actor.pk, titles, passphrase, translation.get_language())
    thread = threading.Thread(
        target=_thread_main, args=(job.id,), name=f"ky-so-{job.id}", daemon=True
    )
    thread.start()
    return job


def _thread_main(job_id: str) -> None:
    job = jobs.get(job_id)
    # A new thread starts in the default language (Vietnamese): use the signer's instead.
    with translation.override(job.language if job is not None else None):
        try:
            # The "signing" backend is immediate: the task runs here, now, in this thread.
            result = steps_sign_bulk_task.enqueue(job_id=job_id)
            if result.errors:  # the immediate backend keeps the traceback but does not log it
                logger.error("Ký hàng loạt %s thất bại:\n%s", job_id, result.errors[-1].traceback)
        finally:
            jobs.take_secret(job_id)  # a task that never ran must not leave the passphrase
            if job is not None and job.state == "running":
                job_fail(job, gettext(FAILED))
            connections.close_all()  # this thread's database connections end with it


@task(backend="signing")
def steps_sign_bulk_task(*, job_id: str) -> dict[str, int]:
    """Sign a bulk job's documents, reporting progress on the signer's socket.

    On the "signing" backend, always immediate: it runs in the job's thread, where the
    passphrase handed over in memory is. Its arguments stay JSON-simple and never carry it."""
    return job_run(job_id)


def job_run(job_id: str) -> dict[str, int]:
    """The task's body: sign, reporting each document; returns the counts."""
    job = jobs.get(job_id)
    passphrase = jobs.take_secret(job_id)
    if job is None:
        return {"signed": 0, "failed": 0}
    if passphrase is None:
        job_fail(job, gettext(EXPIRED))
        return {"signed": 0, "failed": job.total}
    actor = User.objects.get(pk=job.user_id)
    rows = StepAssignee.objects.select_related("step__request__document")
    found = rows.in_bulk(list(job.titles))
    assignees = [found[pk] for pk in job.titles if pk in found]
    jobs.event(job, "bulk.started", job.snapshot())
    try:
        outcomes = steps_sign_bulk(
            actor=actor,
            assignees=assignees,
            passphrase=passphrase,
            on_progress=lambda progress: _progressed(job, progress),
        )
    except ValidationError as exc:
        job_fail(job, " ".join(exc.messages))
        return {"signed": 0, "failed": job.total}
    signed = sum(o.ok for o in outcomes)
    job.state = "finished"
    job.message = gettext("Đã ký %(signed)d/%(total)d văn bản.") % {
        "signed": signed,
        "total": job.total,
    }
    jobs.event(job, "bulk.finished", {"signed": signed, "total": job.total, "message": job.message})
    job.done.set()
    return {"signed": signed, "failed": job.total - signed}


def _progressed(job: BulkJob, progress: BulkStepProgress) -> None:
    outcome = progress.outcome
    job.outcomes[outcome.assignee_id] = outcome
    payload = {
        "done": progress.done,
        "total": progress.total,
        "item": job._item(outcome.assignee_id, job.titles.get(outcome.assignee_id, "")),
    }
    jobs.event(job, "bulk.progress", payload)


def job_fail(job: BulkJob, message: str) -> None:
    job.state = "failed"
    job.message = message
    jobs.event(job, "bulk.failed", {"message": message})
    job.done.set()
