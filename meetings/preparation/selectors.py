"""Reads for preparing and showing meetings: a person's meetings, the agenda with its documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from documents.models import DocumentType
from meetings.access import agenda_documents_visible_q, meetings_visible_to
from meetings.models import HELD_AT, AgendaDocument, Meeting, MeetingStatus, Rsvp
from meetings.preparation.agenda import AgendaRow, agenda_rows

# How many of a person's meetings the list shows: a clerk of the provincial committee sees
# thousands over five years, and the list is for what is coming and what just happened.
UPCOMING_SHOWN = 20
PAST_SHOWN = 20


def my_meetings(user: User, *, now: datetime | None = None) -> dict[str, list[Meeting]]:
    """The person's meetings: today's, the next UPCOMING_SHOWN and the last PAST_SHOWN (most
    recent first). Three bounded queries, whatever the number of meetings."""
    now = timezone.localtime(now or timezone.now())
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    end_of_day = start_of_day + timedelta(days=1)
    # By the day a meeting was held where it was: one held early sits under today or past.
    meetings = (
        meetings_visible_to(user)
        .exclude(status=MeetingStatus.DRAFT)
        .select_related("body")
        .annotate(held_at=HELD_AT)
    )
    return {
        "today": list(
            meetings.filter(held_at__gte=start_of_day, held_at__lt=end_of_day).order_by("held_at")
        ),
        "upcoming": list(
            meetings.filter(held_at__gte=end_of_day).order_by("held_at")[:UPCOMING_SHOWN]
        ),
        "past": list(meetings.filter(held_at__lt=start_of_day).order_by("-held_at")[:PAST_SHOWN]),
    }


@dataclass(frozen=True)
class DocLink:
    """What the agenda shows of a document: a label and the reader's address."""

    pk: int
    label: str
    url: str


def doc_links(meeting: Meeting, user: User) -> dict[int, list[DocLink]]:
    """Each agenda item's visible documents, in one query whatever the number of items.

    The caller has checked that *user* may see *meeting*.

    Labels and URLs are built here rather than in the template: a meeting pack of 200
    documents otherwise spends most of its time in template lookups and URL reversing.
    """
    rows = (
        AgendaDocument.objects.filter(agenda_documents_visible_q(user), item__meeting=meeting)
        .order_by("position", "id")
        .values_list(
            "item_id",
            "document_id",
            "document__doc_type",
            "document__number",
            "document__symbol",
            "document__abstract",
        )
    )
    viewer = reverse("documents:viewer", args=[0])
    type_labels = dict(DocumentType.choices)
    links: dict[int, list[DocLink]] = {}
    for item_id, doc_id, doc_type, number, symbol, abstract in rows:
        number_symbol = "/".join(part for part in (number, symbol) if part)
        label = f"{type_labels.get(doc_type, '')} {number_symbol}".strip() + f": {abstract}"
        url = viewer.replace("/0/", f"/{doc_id}/", 1)
        links.setdefault(item_id, []).append(DocLink(doc_id, label, url))
    return links


class AgendaTreeRow(AgendaRow):
    documents: list[DocLink]


def agenda_tree(meeting: Meeting, user: User) -> list[AgendaTreeRow]:
    """Agenda rows with each item's documents, in a fixed number of queries."""
    links = doc_links(meeting, user)
    return [{**row, "documents": links.get(row["item"].pk, [])} for row in agenda_rows(meeting)]


@dataclass(frozen=True)
class RsvpCounts:
    attending: int
    absent: int
    substitute: int
    pending: int


def rsvp_counts(meeting: Meeting) -> RsvpCounts:
    """How the invitees have answered, for the organiser's reply panel (one query)."""
    counts = dict(
        meeting.participants.values_list("rsvp").annotate(n=Count("pk")).values_list("rsvp", "n")
    )
    return RsvpCounts(
        attending=counts.get(Rsvp.ATTENDING, 0),
        absent=counts.get(Rsvp.ABSENT, 0),
        substitute=counts.get(Rsvp.SUBSTITUTE, 0),
        pending=counts.get(Rsvp.PENDING, 0),
    )
