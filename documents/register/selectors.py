"""Reads of the outgoing register, each with its permission rule: a body's register is seen by
its clerks (văn thư), who keep it, and by superusers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import Body, Membership, Role
from documents.models import Document, OutgoingCounter, OutgoingEntry
from documents.register.services import register_body_of, register_format


def register_bodies_for(user: Any) -> QuerySet[Body]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Body.objects.none()
    if user.is_superuser:
        return Body.objects.filter(is_active=True)
    clerk_of = Membership.objects.filter(user=user, role=Role.CLERK).values("body_id")
    return Body.objects.filter(is_active=True, pk__in=clerk_of)


@dataclass(frozen=True)
class RegisterQuery:
    body: Body | None = None
    doc_type: str = ""
    year: int | None = None
    text: str = ""
    issued_from: date | None = None
    issued_to: date | None = None


def register_entries(user: Any, query: RegisterQuery) -> QuerySet[OutgoingEntry]:
    """The register lines *user* may see that match *query*, the latest first."""
    entries = OutgoingEntry.objects.filter(body__in=register_bodies_for(user))
    if query.body is not None:
        entries = entries.filter(body=query.body)
    if query.doc_type:
        entries = entries.filter(doc_type=query.doc_type)
    if query.year:
        entries = entries.filter(year=query.year)
    if query.issued_from:
        entries = entries.filter(issued_on__gte=query.issued_from)
    if query.issued_to:
        entries = entries.filter(issued_on__lte=query.issued_to)
    text = query.text.strip()
    if text:
        match = Q(number_symbol__icontains=text) | Q(abstract__icontains=text)
        if text.isdigit():
            match |= Q(number=int(text))
        entries = entries.filter(match)
    return entries.select_related("body", "document", "recorded_by").order_by(
        "-year", "-issued_on", "-number", "-pk"
    )


def register_next_number(*, document: Document, year: int) -> str:
    """The number the next numbering of *document* would take (shown to the clerk; the
    service takes it under a lock, so two clerks never get the same one)."""
    last = (
        OutgoingCounter.objects.filter(
            body_id=register_body_of(document), doc_type=document.doc_type, year=year
        )
        .values_list("last_number", flat=True)
        .first()
    )
    return register_format((last or 0) + 1)
