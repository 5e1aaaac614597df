"""Reads about documents, each carrying the permission rules.

Visibility: members (any role) of the owning or issuing body who are cleared for the document's
confidentiality, plus whatever registered providers grant (see ``documents.visibility``), plus
superusers. Everyone else must not learn that the document exists, so views answer 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import Body, Membership, Role
from documents.models import Document, DocumentVersion, WorkRecord
from documents.search import query_terms
from documents.visibility import visibility_grants

# Who may open, fill and close work records of a body (hồ sơ công việc is the clerk's job).
RECORD_KEEPER_ROLES = (Role.CLERK, Role.SECRETARY, Role.CHAIR, Role.VICE_CHAIR)


def _body_ids_of(user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).values("body_id")


def documents_visible_to(user: Any) -> QuerySet[Document]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Document.objects.none()
    if user.is_superuser:
        return Document.objects.all()
    body_ids = _body_ids_of(user)
    grants = (
        Q(owning_body_id__in=body_ids) | Q(issuing_body_id__in=body_ids) | visibility_grants(user)
    )
    return Document.objects.filter(grants, confidentiality__lte=user.clearance)


def document_visible_to(user: Any, document: Document) -> bool:
    return documents_visible_to(user).filter(pk=document.pk).exists()


def document_version_for(user: Any, *, document_id: int, number: int) -> DocumentVersion | None:
    """The version, if *user* may see its document; None otherwise (the caller answers 404)."""
    return (
        DocumentVersion.objects.filter(
            document__in=documents_visible_to(user), document_id=document_id, number=number
        )
        .select_related("blob", "original", "document")
        .first()
    )


def document_versions(document: Document) -> QuerySet[DocumentVersion]:
    return document.versions.select_related("blob", "original", "created_by").order_by("-number")


def document_latest_version(document: Document) -> DocumentVersion | None:
    return document_versions(document).first()


def bodies_user_can_file_for(user: Any) -> QuerySet[Body]:
    """Bodies for which *user* may register documents and add versions: any membership."""
    if getattr(user, "is_superuser", False):
        return Body.objects.filter(is_active=True)
    return Body.objects.filter(is_active=True, pk__in=_body_ids_of(user))


def document_can_add_version(user: Any, document: Document) -> bool:
    return (
        document_visible_to(user, document)
        and bodies_user_can_file_for(user).filter(pk=document.owning_body_id).exists()
    )


def user_may_keep_records(user: Any, body: Body) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(user=user, body=body, role__in=RECORD_KEEPER_ROLES).exists()


def work_records_visible_to(user: Any) -> QuerySet[WorkRecord]:
    if not getattr(user, "is_authenticated", False):
        return WorkRecord.objects.none()
    if user.is_superuser:
        return WorkRecord.objects.all()
    return WorkRecord.objects.filter(owning_body_id__in=_body_ids_of(user))


@dataclass(frozen=True)
class DocumentQuery:
    """What the search form asks for; every field is optional."""

    text: str = ""
    doc_type: str = ""
    body: Body | None = None
    date_from: date | None = None
    date_to: date | None = None


def documents_search(user: Any, query: DocumentQuery) -> QuerySet[Document]:
    """Visible documents matching *query*; text matches number, abstract, bodies and PDF text
    with or without diacritics (every word must occur)."""
    documents = documents_visible_to(user)
    for term in query_terms(query.text):
        documents = documents.filter(search_text__contains=term)
    if query.doc_type:
        documents = documents.filter(doc_type=query.doc_type)
    if query.body is not None:
        documents = documents.filter(Q(issuing_body=query.body) | Q(owning_body=query.body))
    if query.date_from:
        documents = documents.filter(issued_on__gte=query.date_from)
    if query.date_to:
        documents = documents.filter(issued_on__lte=query.date_to)
    return documents.select_related("issuing_body", "owning_body")
