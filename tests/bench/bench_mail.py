"""Invitation mail to N officials (default 1,500: the scale data's count; a generated set here)
through the outbox and the real worker to a local SMTP server (aiosmtpd on loopback), against
a bare ``smtplib`` loop sending the same messages in the same run.

    .venv/bin/python tests/bench/bench_mail.py [N] [--workers W] [--small 5]

Each invitation carries two PDFs (invitation and agenda, ~"--pdf-kb" KB each) and an .ics, as
in the product (``meetings.preparation.invitations.invitation_message``).

Figures:
- *issuing*: the clerk's part, ``send_meeting_mail.enqueue`` (what the request does after
  commit), for N and for ``--small`` recipients; target: N no slower than 2× small.
- *queueing*: the worker's first job, ``meeting_mail_send`` (one outbox row and one task per
  recipient), timed in this process for reference.
- *delivery*: from the first queued task to the last mail accepted by the SMTP server, with W
  ``db_worker`` processes (``--batch``: they exit when nothing is left; start-up included).
  The steady state (first to last mail accepted) is printed too.
- *baseline*: the same N messages, built and turned into bytes beforehand (not timed), sent by
  one ``smtplib`` connection in a loop. Ratio = baseline time / delivery time; target ≥ 0.8×.
  A second baseline keeps the messages as objects and lets ``smtplib.send_message`` turn each
  into bytes in the loop (Python's e-mail generator: most of a 280 KB message's cost).

Run at full size only on a quiet machine. A private SQLite database in a temporary folder
is used (the development data is untouched); with SQLite more than one or two workers mostly
wait on the database lock.
"""

from __future__ import annotations

import argparse
import email.policy
import os
import smtplib
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench._harness import ROOT, django_ready, free_port, machine, private_environment


class Sink:
    """An SMTP server that accepts everything and counts the messages."""

    def __init__(self) -> None:
        self.count = 0
        self.first = self.last = 0.0
        self.done = threading.Event()
        self.expect = -1

    async def handle_DATA(self, server, session, envelope) -> str:
        self.count += 1
        self.last = time.perf_counter()
        if self.count == 1:
            self.first = self.last
        if self.count == self.expect:
            self.done.set()
        return "250 OK"

    def reset(self, expect: int) -> None:
        self.count, self.expect = 0, expect
        self.done.clear()


def _pdf(kb: int) -> bytes:
    """A one-page PDF padded with an incompressible stream to about *kb* kilobytes."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.Root.Padding = pdf.make_stream(os.urandom(kb * 1024))
    out = Path(os.environ["KYHOP_VAR_DIR"]) / f"pad-{kb}.pdf"
    pdf.save(out)
    return out.read_bytes()


def build_world(count: int, pdf_kb: int):
    """A body, *count* officials with addresses, an invited meeting with its two PDFs."""
    import datetime as dt

    from django.contrib.auth.hashers import make_password
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from accounts.models import Body, User
    from documents.models import DocumentStatus, DocumentType
    from documents.services import document_create
    from meetings.models import Meeting, MeetingStatus, Participant

    body = Body.objects.create(code="ubnd-bench", name="Ủy ban nhân dân tỉnh Bench", symbol="UB")
    clerk = User.objects.create_superuser(
        username="bench-clerk", password="mat-khau-bench-1", full_name="Văn Thư Bench"
    )
    password = make_password(None)
    User.objects.bulk_create(
        User(
            username=f"cb{n:05d}",
            full_name=f"Cán Bộ {n:05d}",
            email=f"cb{n:05d}@example.vn",
            password=password,
        )
        for n in range(count)
    )

    def meeting_for(people) -> Meeting:
        now = timezone.now()
        meeting = Meeting.objects.create(
            body=body,
            title="Hội nghị cán bộ toàn tỉnh",
            starts_at=now + dt.timedelta(days=3),
            ends_at=now + dt.timedelta(days=3, hours=3),
            place="Hội trường tỉnh",
            status=MeetingStatus.INVITED,
            invitation_number=f"{Meeting.objects.count() + 1}/GM-UB",
            created_by=clerk,
        )
        for name, kind in (("giay-moi", DocumentType.INVITATION), ("ctr", DocumentType.AGENDA)):
            document = document_create(
                actor=clerk,
                owning_body=body,
                doc_type=kind,
                abstract=meeting.title,
                upload=ContentFile(_pdf(pdf_kb), name=f"{name}-{meeting.pk}.pdf"),
                status=DocumentStatus.ISSUED,
            )
            field = "invitation_document" if kind == DocumentType.INVITATION else "agenda_document"
            setattr(meeting, field, document)
        meeting.save()
        Participant.objects.bulk_create(
            Participant(meeting=meeting, user=user, role="voting") for user in people
        )
        return meeting

    return meeting_for


def _run_workers(workers: int, sink: Sink, smtp_port: int) -> float:
    env = {
        **os.environ,
        "KYHOP_TASKS_BACKEND": "database",
        "EMAIL_BACKEND": "background.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
    }
    # As the Makefile and the README run it (--skip-checks), exiting when nothing is left.
    command = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--skip-checks",
        "--batch",
        "--no-startup-delay",
    ]
    start = time.perf_counter()
    log = Path(os.environ["KYHOP_VAR_DIR"]) / "worker.log"
    with log.open("w") as out:
        processes = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
            for _ in range(workers)
        ]
        for process in processes:
            process.wait(timeout=3600)
    if any(process.returncode for process in processes):
        raise RuntimeError(f"db_worker failed:\n{log.read_text()[-3000:]}")
    return start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", nargs="?", type=int, default=1500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--small", type=int, default=5)
    parser.add_argument("--pdf-kb", type=int, default=100)
    args = parser.parse_args()

    smtp_port = free_port()
    private_environment()
    os.environ.update(
        {
            "KYHOP_TASKS_BACKEND": "database",
            "EMAIL_BACKEND": "background.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "false",
            "KYHOP_MAIL_RETRY_DELAYS": "1,1,1",
        }
    )
    django_ready()
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django_tasks_db.models import DBTaskResult

    from accounts.models import User
    from background.models import MailStatus, OutboxMail
    from meetings.preparation.invitations import (
        invitation_message,
        meeting_mail_send,
        send_meeting_mail,
    )

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        meeting_for = build_world(args.count, args.pdf_kb)
        people = list(User.objects.filter(username__startswith="cb").order_by("pk"))
        big = meeting_for(people)
        small = meeting_for(people[: args.small])

        # The clerk's part: what the request does once the invitation is committed.
        timings = {}
        send_meeting_mail.enqueue(meeting_id=small.pk, method="request")  # warm-up
        for name, meeting in (("small", small), ("big", big)):
            samples = []
            for _ in range(7):
                start = time.perf_counter()
                send_meeting_mail.enqueue(meeting_id=meeting.pk, method="request")
                samples.append(time.perf_counter() - start)
            timings[name] = statistics.median(samples)
        DBTaskResult.objects.all().delete()  # measured once; the worker's run comes below

        # The worker's first job, timed here for reference (it queues N rows and N tasks).
        start = time.perf_counter()
        queued = meeting_mail_send(meeting_id=big.pk, method="request")
        queueing = time.perf_counter() - start
        assert queued == args.count, queued

        # Delivery by the real worker processes.
        sink.reset(args.count)
        started = _run_workers(args.workers, sink, smtp_port)
        if not sink.done.wait(timeout=60):
            raise RuntimeError(f"only {sink.count}/{args.count} mails arrived")
        delivery = sink.last - started
        steady = (sink.last - sink.first) / max(args.count - 1, 1) * args.count
        sent = OutboxMail.objects.filter(status=MailStatus.SENT).count()
        assert sent == args.count, f"{sent} sent of {args.count}"

        # Baseline: the same messages, built beforehand, one smtplib connection, a loop.
        messages = [
            (
                settings.DEFAULT_FROM_EMAIL,
                [m.address],
                # As Django's SMTP backend writes it (CRLF line ends).
                invitation_message(m).message(policy=email.policy.SMTP).as_bytes(),
            )
            for m in OutboxMail.objects.filter(topic=f"meeting:{big.pk}").order_by("pk")
        ]
        sink.reset(args.count)
        start = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", smtp_port) as connection:
            for sender, to, raw in messages:
                connection.sendmail(sender, to, raw)
        baseline = time.perf_counter() - start
        # A second baseline: the same messages built beforehand as objects, turned into bytes
        # by smtplib in the loop (send_message), as a mailer that holds its messages sends.
        built = [
            invitation_message(m).message(policy=email.policy.SMTP)
            for m in OutboxMail.objects.filter(topic=f"meeting:{big.pk}").order_by("pk")
        ]
        sink.reset(args.count)
        start = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", smtp_port) as connection:
            for message, (sender, to, _raw) in zip(built, messages, strict=True):
                connection.send_message(message, sender, to)
        baseline_serialising = time.perf_counter() - start
        size_kb = sum(len(raw) for _s, _t, raw in messages) / len(messages) / 1024
    finally:
        controller.stop()

    ratio = baseline / delivery
    steady_ratio = baseline / steady
    print(f"machine: {machine()}")
    print(
        f"{args.count} invitation mails (2 PDFs + .ics, {size_kb:.0f} KB each) to aiosmtpd on "
        f"loopback; {args.workers} db_worker process(es), SQLite"
    )
    print(
        f"issuing (enqueue after commit, median of 7): {args.small} recipients "
        f"{timings['small'] * 1000:.1f} ms, {args.count} recipients "
        f"{timings['big'] * 1000:.1f} ms -> "
        f"{timings['big'] / timings['small']:.2f}x (target <= 2x)"
    )
    print(f"queueing in the worker (rows + tasks): {queueing:.2f} s")
    print(
        f"delivery through outbox + worker: {delivery:.2f} s ({args.count / delivery:.1f} mail/s)"
    )
    print(
        f"  of which steady state (first to last mail): {steady:.2f} s "
        f"({args.count / steady:.1f} mail/s); the rest is the workers' start-up"
    )
    print(f"baseline smtplib loop: {baseline:.2f} s ({args.count / baseline:.1f} mail/s)")
    print(
        f"baseline smtplib loop serialising each message (send_message): "
        f"{baseline_serialising:.2f} s ({args.count / baseline_serialising:.1f} mail/s) -> "
        f"ours {baseline_serialising / delivery:.2f}x, steady state "
        f"{baseline_serialising / steady:.2f}x"
    )
    print(f"steady-state ratio (ours / baseline): {steady_ratio:.2f}x")
    verdict = "OK" if ratio >= 0.8 else "MISSED"
    print(f"throughput ratio (ours / baseline): {ratio:.2f}x (target >= 0.8x) -> {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
