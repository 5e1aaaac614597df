"""The schedule: the scheduler's own trigger closes a consultation within a minute of its
deadline, and reminders (consultations' and invitees') go once per offset."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from crontask import scheduler
from django.core import mail
from django.utils import timezone

import meetings.tasks  # noqa: F401 - registers the jobs, as `manage.py crontask` does
from accounts.models import Clearance
from background.models import OutboxMail
from meetings.models import ConsultationStatus, Meeting, MeetingStatus, Rsvp
from tests.factories import make_body, make_user
from tests.meetings.helpers import add_participant
from tests.meetings.voting.helpers import Committee, consultation_committee, sent_consultation


@pytest.fixture
def committee(db) -> Committee:
    return consultation_committee()


def _job(name: str):
    return next(job for job in scheduler.get_jobs() if job.name.endswith(name))


def test_the_scheduler_closes_a_consultation_at_its_deadline(
    committee,
    django_capture_on_commit_callbacks,
):
    consultation = sent_consultation(committee, django_capture_on_commit_callbacks, hours=1)
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
    committee,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.KYHOP_CONSULTATION_REMIND_HOURS = [24, 2]
    consultation = sent_consultation(committee, django_capture_on_commit_callbacks, hours=30)
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


def _invited_meeting(starts_in: timedelta, invited_before: timedelta):
    """A sent Mật meeting: three cleared invitees who have not replied or have, one uncleared."""
    body = make_body(name="Sở Tài chính tỉnh Bắc Ninh", symbol="STC")
    clerk = make_user(full_name="Lê Văn Thư", body=body, role="clerk")
    now = timezone.now()
    meeting = Meeting.objects.create(
        body=body,
        title="Họp giao ban tháng 12",
        starts_at=now + starts_in,
        ends_at=now + starts_in + timedelta(hours=2),
        place="Phòng họp số 2",
        status=MeetingStatus.INVITED,
        invitations_sent_at=now + starts_in - invited_before,
        confidentiality=Clearance.SECRET,
        created_by=clerk,
    )
    people = {}
    for name, rsvp, clearance in (
        ("an", Rsvp.PENDING, Clearance.SECRET),
        ("binh", Rsvp.PENDING, Clearance.SECRET),
        ("cuong", Rsvp.ATTENDING, Clearance.SECRET),
        ("dung", Rsvp.PENDING, Clearance.NORMAL),
    ):
        user = make_user(username=name, full_name=name, body=body, email=f"{name}@example.vn")
        user.clearance = clearance
        user.save(update_fields=["clearance"])
        people[name] = add_participant(meeting, user=user, checked_in=False, rsvp=rsvp)
    return meeting, people


def _hourly_runner(django_capture_on_commit_callbacks):
    job = _job("meetings_remind_invitees")

    def run_at(moment) -> dict[str, list[str]]:
        mail.outbox.clear()
        travel = time_machine.travel(moment, tick=False)
        with travel, django_capture_on_commit_callbacks(execute=True):
            job.func()
        got: dict[str, list[str]] = {}
        for message in mail.outbox:
            got.setdefault(message.subject.split("]")[0] + "]", []).append(message.to[0])
        mail.outbox.clear()
        return {subject: sorted(to) for subject, to in got.items()}

    return job, run_at


def test_hourly_invitee_reminders_go_once_per_offset_to_those_who_have_not_replied(
    db, django_capture_on_commit_callbacks, settings
):
    settings.KYHOP_INVITEE_REMIND_HOURS = [48, 24]
    meeting, people = _invited_meeting(timedelta(hours=80), invited_before=timedelta(hours=80))
    job, run_at = _hourly_runner(django_capture_on_commit_callbacks)
    start = meeting.starts_at
    # The trigger fires every hour, on the hour.
    moment = start - timedelta(hours=49, minutes=30)
    fire = job.trigger.get_next_fire_time(None, moment)
    assert fire.minute == fire.second == 0 and moment < fire <= moment + timedelta(hours=1)
    reply, day_before = "[Nhắc trả lời giấy mời]", "[Nhắc lịch họp]"
    assert run_at(start - timedelta(hours=60)) == {}
    assert run_at(start - timedelta(hours=47, minutes=30)) == {
        reply: ["an@example.vn", "binh@example.vn"]  # not the uncleared, not who replied
    }
    assert run_at(start - timedelta(hours=46, minutes=30)) == {}  # not twice
    assert run_at(start - timedelta(hours=25, minutes=30)) == {}
    people["binh"].rsvp = Rsvp.ATTENDING
    people["binh"].save(update_fields=["rsvp"])
    assert run_at(start - timedelta(hours=23, minutes=30)) == {
        reply: ["an@example.vn"],
        day_before: ["binh@example.vn", "cuong@example.vn"],
    }
    for hours in (22, 5, 1):
        assert run_at(start - timedelta(hours=hours, minutes=30)) == {}
    assert run_at(start + timedelta(minutes=30)) == {}
    assert "dung@example.vn" not in OutboxMail.objects.values_list("address", flat=True)
    keys = OutboxMail.objects.filter(purpose="reply-reminder").values_list("key", flat=True)
    assert sorted(keys) == sorted(
        f"meeting:{meeting.pk}:reply:{h}h:{people[n].user_id}"
        for h, n in ((48, "an"), (48, "binh"), (24, "an"))
    )


def test_no_reminder_for_an_offset_crossed_before_the_invitation_went_out(
    db, django_capture_on_commit_callbacks, settings
):
    settings.KYHOP_INVITEE_REMIND_HOURS = [48, 24]
    # Invited 30 hours ahead: the 48-hour mark had passed; the 24-hour one is the first.
    meeting, _people = _invited_meeting(timedelta(hours=30), invited_before=timedelta(hours=30))
    _, run_at = _hourly_runner(django_capture_on_commit_callbacks)
    start = meeting.starts_at
    assert run_at(start - timedelta(hours=29, minutes=30)) == {}
    reminded = run_at(start - timedelta(hours=23, minutes=30))
    assert reminded["[Nhắc trả lời giấy mời]"] == ["an@example.vn", "binh@example.vn"]
