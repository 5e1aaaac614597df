"""The agenda tree flattened in order and numbered, and its list on the meeting page.

``agenda_rows`` is the one reading of the tree (the invitation, the live screens, the minutes
and the pack number items with it). The meeting page's list is rendered in Python and cached:
a council session's pack runs to hundreds of documents; through the template engine the list
alone cost tens of milliseconds per page view (each variable lookup and tag is interpreted).
Built here with plain string joins (every value escaped with ``html.escape``) it costs about a
millisecond, and the result is cached per meeting, clearance and language until the agenda
changes (the agenda services bump ``Meeting.updated_at``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from html import escape
from typing import Any, TypedDict

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import User
from meetings.models import AgendaItem, Meeting

CACHE_SECONDS = 600


class AgendaRow(TypedDict):
    item: AgendaItem
    number: str
    depth: int


def agenda_rows(meeting: Meeting) -> list[AgendaRow]:
    """The agenda tree flattened in order, each row with its number ('2.1') and depth."""
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("presenter")
        .order_by("position", "id")
    )
    children: dict[int | None, list[AgendaItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    rows: list[AgendaRow] = []

    def walk(parent_id: int | None, prefix: str, depth: int) -> None:
        for index, item in enumerate(children.get(parent_id, []), start=1):
            number = f"{prefix}{index}"
            rows.append({"item": item, "number": number, "depth": depth})
            walk(item.pk, f"{number}.", depth + 1)

    walk(None, "", 0)
    return rows


def _documents(documents: list[Any]) -> str:
    if not documents:
        return ""
    links = "".join(
        f'<li><a class="doc-link" href="{escape(doc.url)}">{escape(doc.label)}</a></li>'
        for doc in documents
    )
    return f'<ul class="docs">{links}</ul>'


def _details(item: AgendaItem, presenter_label: str, minutes_label: str) -> str:
    parts = []
    if item.presenter_display:
        parts.append(f"{escape(presenter_label)}: {escape(item.presenter_display)}")
    if item.planned_minutes:
        parts.append(f"{int(item.planned_minutes)} {escape(minutes_label)}")
    return " · ".join(parts)


def agenda_list_html(rows: Iterable[Mapping[str, Any]]) -> SafeString:
    presenter_label, minutes_label = _("Trình bày"), _("phút")
    items = "\n".join(
        f'<li class="agenda-item depth-{int(row["depth"])}" data-item="{int(row["item"].pk)}">'
        f'<div class="agenda-title"><span class="num">{escape(row["number"])}.</span> '
        f"{escape(row['item'].title)}</div>"
        f'<div class="muted small">{_details(row["item"], presenter_label, minutes_label)}</div>'
        f"{_documents(row['documents'])}</li>"
        for row in rows
    )
    return mark_safe(f'<ol class="agenda">{items}</ol>' if items else "")  # noqa: S308 - escaped


def cached_agenda_html(
    meeting: Meeting, user: User, build: Callable[[], Iterable[Mapping[str, Any]]]
) -> str:
    """The agenda HTML for *user* (who may see *meeting*), from the cache when unchanged."""
    audience = "all" if user.is_superuser else f"c{user.clearance}"
    key = f"agenda-html:{meeting.pk}:{meeting.updated_at.timestamp()}:{audience}:{get_language()}"
    html = cache.get(key)
    if html is None:
        html = str(agenda_list_html(build()))
        cache.set(key, html, CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - built by agenda_list_html, which escapes every value
