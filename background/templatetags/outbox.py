"""A page's mail with each recipient's status: `{% outbox_status "meeting" meeting.pk %}`."""

from __future__ import annotations

from django import template

from background.outbox import outbox_for

register = template.Library()


@register.inclusion_tag("background/_outbox_status.html")
def outbox_status(kind: str, pk: int, limit: int = 50) -> dict:
    return {"mails": list(outbox_for(f"{kind}:{pk}")[:limit])}
