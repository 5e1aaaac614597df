"""The schedule: the scheduler's own trigger closes a consultation within a minute of its
deadline, and reminders go once per offset."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from crontask import scheduler
from django.core import mail
from django.utils import timezone

import meetings.tasks  # noqa: F401 - registers the jobs, as `manage.py crontask` does
from meetings.models import ConsultationStatus
from tests.meetings.voting.test_consultations import _sent, committee  # noqa: F401


def _job(name: str):
    return next(job for job in scheduler.get_jobs() if job.name.endswith(name))


def test_the_scheduler_closes_a_consultation_at_its_deadline(
    committee,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    consultation = _sent(committee, django_capture_on_commit_callbacks, hours=1)
    job = _job("consultations_close_due")
    deadline = consultation.deadline
    fire = job.trigger.get_next_fire_time(None, deadline)
    assert deadline <= fire < deadline + timedelta(minutes=1)
    with time_machine.travel(deadline - timedelta(seconds=30), tick=False):
        job.func()  # what the scheduler calls: enqueue (run inline by the test backend)
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.SENT
    with time_machine.travel(fire, tick=False), django_capture_on_commit_callbacks(execute=True):
        job.func()
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.CLOSED
    assert consultation.closed_at <= deadline + timedelta(minutes=1)


def test_reminders_go_once_at_each_offset_before_the_deadline(
    committee,  # noqa: F811
    django_capture_on_commit_callbacks,
    settings,
):
    settings.KYHOP_CONSULTATION_REMIND_HOURS = [24, 2]
    consultation = _sent(committee, django_capture_on_commit_callbacks, hours=30)
    job = _job("consultations_remind_due")
    mail.outbox.clear()

    def run_at(moment) -> int:
        travel = time_machine.travel(moment, tick=False)
        with travel, django_capture_on_commit_callbacks(execute=True):
            job.func()
        sent = len(mail.outbox)
        mail.outbox.clear()
        return sent

    deadline = consultation.deadline
    assert run_at(deadline - timedelta(hours=25)) == 0
    assert run_at(deadline - timedelta(hours=23)) == 5  # every member asked has yet to answer
    assert run_at(deadline - timedelta(hours=22)) == 0  # once per offset
    assert run_at(deadline - timedelta(hours=1)) == 5
    assert run_at(timezone.now() + timedelta(days=3)) == 0  # past the deadline: nothing
