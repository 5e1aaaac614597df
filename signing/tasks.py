"""The signing workflow's schedule (django-crontask): `manage.py crontask` loads this module
and enqueues the job when its trigger fires; the worker runs it. Safe to run twice: each
reminder is recorded on its assignee row under a lock (signing/requests/reminders.py).
"""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from signing.requests.reminders import requests_remind_due


@cron("*/5 * * * *")
@task
def signing_requests_remind_due() -> int:
    """Every five minutes: remind signers of requests near or past their deadline (hạn xử lý)."""
    return requests_remind_due()
