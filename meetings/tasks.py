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
from meetings.preparation.invitations import meeting_reminder_text
from meetings.voting.consultations import consultation_remind, consultations_close_due
from signing.pades.renewal import documents_refresh_revocation, documents_renew_archive_timestamps

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


def invitee_reminder_offset(meeting: Meeting, now: dt.datetime) -> int | None:
    """The reminder offset (hours before the start) due now: the latest one crossed, and only
    if it was crossed after the invitation went out (no reminder an hour after inviting)."""
    if now >= meeting.starts_at:
        return None
    sent = meeting.invitations_sent_at
    due = None
    for hours in sorted(settings.KYHOP_INVITEE_REMIND_HOURS, reverse=True):
        mark = meeting.starts_at - dt.timedelta(hours=hours)
        if now >= mark and (sent is None or sent <= mark):
            due = hours
    return due


def meeting_invitee_reminders(now: dt.datetime) -> int:
    """Each invitee of a sent meeting who may read it and has not replied is asked to, once
    per offset of ``KYHOP_INVITEE_REMIND_HOURS``; those who replied get the day-before notice
    once. Returns the number of mails queued (the outbox key makes a second run queue none)."""
    horizon = max([24, *settings.KYHOP_INVITEE_REMIND_HOURS])
    upcoming = Meeting.objects.filter(
        status=MeetingStatus.INVITED,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(hours=horizon),
    ).select_related("body")
    queued = 0
    for meeting in upcoming:
        readers = participants_who_may_read(meeting).exclude(rsvp=Rsvp.SUBSTITUTE)
        hours = invitee_reminder_offset(meeting, now)
        if hours is not None:
            pending = readers.filter(rsvp=Rsvp.PENDING).select_related("user")
            queued += len(
                mail_queue_plain(
                    topic=f"meeting:{meeting.pk}",
                    purpose="reply-reminder",
                    subject=f"[Nhắc trả lời giấy mời] {meeting.title}",
                    body=meeting_reminder_text(meeting, ask=True),
                    users=[p.user for p in pending],
                    key=f"meeting:{meeting.pk}:reply:{hours}h",
                )
            )
        if meeting.starts_at <= now + dt.timedelta(days=1):
            replied = readers.exclude(rsvp=Rsvp.PENDING).select_related("user")
            queued += len(
                mail_queue_plain(
                    topic=f"meeting:{meeting.pk}",
                    purpose="day-before",
                    subject=f"[Nhắc lịch họp] {meeting.title}",
                    body=meeting_reminder_text(meeting, ask=False),
                    users=[p.user for p in replied],
                    key=f"meeting:{meeting.pk}:day-before",
                )
            )
    return queued


@cron("0 * * * *")
@task
def meetings_remind_invitees() -> int:
    """Hourly: reply reminders at each configured offset and the day-before notice."""
    return meeting_invitee_reminders(timezone.now())


# Daily, at night: fresh OCSP/CRL data for versions signed a day or more ago, then a new
# document time-stamp for archived B-LTA versions whose TSA certificate nears its expiry
# (signing/pades/renewal.py; both add a new version with an audit event).
cron("20 2 * * *")(documents_refresh_revocation)
cron("40 2 * * *")(documents_renew_archive_timestamps)
