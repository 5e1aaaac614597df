"""The home page's notice of open consultations. A template tag, so the accounts app (below
meetings in the import order) shows it without importing meetings."""

from __future__ import annotations

from typing import Any

from django import template

from meetings.consultation.selectors import open_consultations_for

register = template.Library()


@register.inclusion_tag("meetings/consultation/_home_notice.html", takes_context=True)
def open_consultations(context: dict[str, Any]) -> dict[str, Any]:
    return {"open_consultations": list(open_consultations_for(context["request"].user)[:20])}
