"""A page's mail with each recipient's status: `{% outbox_status "meeting" meeting.pk %}`."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext, gettext_noop

from background.outbox import outbox_for

register = template.Library()


@register.inclusion_tag("background/_outbox_status.html")
def outbox_status(kind: str, pk: int, limit: int = 50) -> dict:
    return {"mails": list(outbox_for(f"{kind}:{pk}")[:limit])}


# django-tasks' statuses, in the page's language (the raw value stays in data-status).
TASK_STATUSES = {
    "READY": gettext_noop("Đang chờ"),
    "RUNNING": gettext_noop("Đang chạy"),
    "FAILED": gettext_noop("Bị lỗi"),
    "SUCCESSFUL": gettext_noop("Đã xong"),
}


@register.filter
def task_status(status: str) -> str:
    label = TASK_STATUSES.get(status)
    return gettext(label) if label else status
