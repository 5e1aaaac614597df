"""The schedule (django-crontask): what must happen at a time, queued to the worker.

`manage.py crontask` (started by `make run`) loads this module and enqueues each task when its
trigger fires; the worker runs it. Each job is safe to run twice: a closed consultation is not
closed again, a reminder is keyed per meeting and person in the outbox.
"""

from __future__ import annotations

import datetime as dt

from crontask import cron
from django.conf import settings
from django.tasks import task
from django.utils import timezone

from background.outbox import mail_queue_plain
from meetings.access import participants_who_may_read
from meetings.models import Consultation, ConsultationStatus, Meeting, MeetingStatus, Rsvp
from meetings.preparation.invitations import time_phrase
from meetings.voting.consultations import consultation_remind, consultations_close_due

# Every minute: a consultation closes within a minute of its deadline.
cron("* * * * *")(consultations_close_due)


def consultations_due_reminder(now: dt.datetime) -> list[Consultation]:
    """Open consultations that have crossed a reminder offset since their last reminder."""
    due = []
    for consultation in Consultation.objects.filter(
        status=ConsultationStatus.SENT, deadline__gt=now
    ):
        for hours in settings.KYHOP_CONSULTATION_REMIND_HOURS:
            mark = consultation.deadline - dt.timedelta(hours=hours)
            last = consultation.last_reminded_at
            if now >= mark and (last is None or last < mark):
                due.append(consultation)
                break
    return due


@cron("*/5 * * * *")
@task
def consultations_remind_due() -> int:
    """Remind members who have not answered, once per configured offset before the deadline."""
    now = timezone.now()
    return sum(consultation_remind(consultation=c) for c in consultations_due_reminder(now))


def meeting_day_before_notices(now: dt.datetime) -> int:
    """The day-before notice of each sent meeting starting in the next 24 hours, once per
    invitee who may read it; those who have not replied are asked to reply."""
    queued = 0
    upcoming = Meeting.objects.filter(
        status=MeetingStatus.INVITED, starts_at__gt=now, starts_at__lte=now + dt.timedelta(days=1)
    ).select_related("body")
    for meeting in upcoming:
        readers = participants_who_may_read(meeting).exclude(rsvp=Rsvp.SUBSTITUTE)
        for pending in (True, False):
            group = (
                readers.filter(rsvp=Rsvp.PENDING) if pending else readers.exclude(rsvp=Rsvp.PENDING)
            )
            ask = (
                "\nĐồng chí chưa xác nhận tham dự, vui lòng trả lời trên KyHop.\n"
                if pending
                else ""
            )
            queued += len(
                mail_queue_plain(
                    topic=f"meeting:{meeting.pk}",
                    purpose="day-before",
                    subject=f"[Nhắc lịch họp] {meeting.title}",
                    body=(
                        f"{meeting.body.name} nhắc lịch họp: {meeting.title}\n"
                        f"Thời gian: {time_phrase(meeting.starts_at)}\n"
                        f"Địa điểm: {meeting.place}\n{ask}"
                    ),
                    users=[p.user for p in group.select_related("user")],
                    key=f"meeting:{meeting.pk}:day-before",
                )
            )
    return queued


@cron("0 * * * *")
@task
def meetings_remind_invitees() -> int:
    """Hourly: the day-before notice and the reply reminder of tomorrow's meetings."""
    return meeting_day_before_notices(timezone.now())
