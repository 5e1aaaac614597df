"""Reads of the incoming register: a body's register is seen by its clerks, who keep it, and
by superusers (the same rule as the outgoing register)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import Body
from documents import hooks
from documents.models import Document, IncomingEntry
from documents.register.selectors import register_bodies_for


@dataclass(frozen=True)
class IncomingQuery:
    body: Body | None = None
    year: int | None = None
    text: str = ""


def incoming_entries(user: Any, query: IncomingQuery) -> QuerySet[IncomingEntry]:
    """The register lines *user* may see that match *query*, the latest arrival first."""
    entries = IncomingEntry.objects.filter(body__in=register_bodies_for(user))
    if query.body is not None:
        entries = entries.filter(body=query.body)
    if query.year:
        entries = entries.filter(year=query.year)
    text = query.text.strip()
    if text:
        match = (
            Q(number_symbol__icontains=text)
            | Q(abstract__icontains=text)
            | Q(sender__name__icontains=text)
        )
        if text.isdigit():
            match |= Q(number=int(text))
        entries = entries.filter(match)
    return entries.select_related("body", "sender", "document").order_by("-year", "-number", "-pk")


def incoming_checks(entries: list[IncomingEntry]) -> dict[int, list[Any]]:
    """Each entry's document's extra cells (the signature check's verdict among them), for
    a whole page in one query."""
    documents = hooks.annotate(
        hooks.DOCUMENT, Document.objects.filter(pk__in=[e.document_id for e in entries])
    )
    return {document.pk: cells for document, cells in hooks.rows(hooks.DOCUMENT, documents)}


def distributions_of(document: Document) -> QuerySet[IncomingEntry]:
    """Where an issued document was sent, for its page."""
    return document.distributions.select_related("body", "sent_by").order_by("body__name")
