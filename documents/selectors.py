"""Reads about documents, each carrying the permission rules.

Visibility: members (any role) of the owning or issuing body who are cleared for the document's
confidentiality, plus whatever registered providers grant (see ``documents.visibility``), plus
superusers. Everyone else must not learn that the document exists, so views answer 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Func, Q, QuerySet
from django.db.models.expressions import RawSQL

from accounts.models import Body, Membership, Role, User
from documents.models import Document, DocumentNote, DocumentVersion, WorkRecord
from documents.paging import Page
from documents.search import fts_prefixes, query_terms
from documents.visibility import visibility_grants

# Who may open, fill and close work records of a body (hồ sơ công việc is the clerk's job).
RECORD_KEEPER_ROLES = (Role.CLERK, Role.SECRETARY, Role.CHAIR, Role.VICE_CHAIR)


def _body_ids_of(user: User) -> QuerySet[Membership, Any]:
    return Membership.objects.filter(user=user).values("body_id")


def documents_visible_to(user: User) -> QuerySet[Document]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Document.objects.none()
    if user.is_superuser:
        return Document.objects.all()
    body_ids = _body_ids_of(user)
    grants = (
        Q(owning_body_id__in=body_ids) | Q(issuing_body_id__in=body_ids) | visibility_grants(user)
    )
    return Document.objects.filter(grants, confidentiality__lte=user.clearance)


def document_visible_to(user: User, document: Document) -> bool:
    return documents_visible_to(user).filter(pk=document.pk).exists()


def document_version_for(user: User, *, document_id: int, number: int) -> DocumentVersion | None:
    """The version, if *user* may see its document; None otherwise (the caller answers 404)."""
    return (
        DocumentVersion.objects.filter(
            document__in=documents_visible_to(user), document_id=document_id, number=number
        )
        .select_related("blob", "blob__active_content", "original", "document")
        .first()
    )


def document_versions(document: Document) -> QuerySet[DocumentVersion]:
    return document.versions.select_related(
        "blob", "blob__active_content", "original", "created_by"
    ).order_by("-number")


def document_latest_version(document: Document) -> DocumentVersion | None:
    return document_versions(document).first()


def latest_storage_names(document_ids: list[int]) -> dict[int, str]:
    """Each document's latest version's stored file name, in one light query (a mailer needs
    the bytes, not the rows)."""
    names: dict[int, str] = {}
    rows = (
        DocumentVersion.objects.filter(document_id__in=document_ids)
        .order_by("document_id", "-number")
        .values_list("document_id", "blob__storage_name")
    )
    for document_id, storage_name in rows:
        names.setdefault(document_id, storage_name)
    return names


def bodies_user_can_file_for(user: User) -> QuerySet[Body]:
    """Bodies for which *user* may register documents and add versions: any membership."""
    if getattr(user, "is_superuser", False):
        return Body.objects.filter(is_active=True)
    return Body.objects.filter(is_active=True, pk__in=_body_ids_of(user))


def document_can_add_version(user: User, document: Document) -> bool:
    return (
        document_visible_to(user, document)
        and bodies_user_can_file_for(user).filter(pk=document.owning_body_id).exists()
    )


def user_may_keep_records(user: User, body: Body) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(user=user, body=body, role__in=RECORD_KEEPER_ROLES).exists()


def bodies_user_may_keep_records_for(user: User) -> QuerySet[Body]:
    if getattr(user, "is_superuser", False):
        return Body.objects.filter(is_active=True)
    keeper_of = Membership.objects.filter(user=user, role__in=RECORD_KEEPER_ROLES)
    return Body.objects.filter(is_active=True, pk__in=keeper_of.values("body_id"))


def work_record_documents(user: User, record: WorkRecord) -> QuerySet[Document]:
    """The record's documents that *user* may see: a record never reveals a confidential
    document to someone not cleared for it."""
    return (
        documents_visible_to(user)
        .filter(pk__in=record.documents.values("pk"))
        .select_related("issuing_body")
    )


def work_record_candidates(user: User, record: WorkRecord, text: str) -> QuerySet[Document]:
    """Documents *user* could add to *record*: visible, matching *text*, not already in it."""
    return documents_search(user, DocumentQuery(text=text)).exclude(
        pk__in=record.documents.values("pk")
    )


def work_records_visible_to(user: User) -> QuerySet[WorkRecord]:
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


def documents_search(
    user: User, query: DocumentQuery, *, recent: Q | None = None
) -> QuerySet[Document]:
    """Visible documents matching *query*; text matches number, abstract, bodies and PDF text
    with or without diacritics (every word must occur). *recent* restricts the search to a
    prefix of the lists' order (see ``documents_search_page``)."""
    documents = documents_visible_to(user)
    if recent is not None:
        documents = documents.filter(recent)
    documents = _text_matches(documents, query_terms(query.text), indexed=recent is None)
    if query.doc_type:
        documents = documents.filter(doc_type=query.doc_type)
    if query.body is not None:
        documents = documents.filter(Q(issuing_body=query.body) | Q(owning_body=query.body))
    if query.date_from:
        documents = documents.filter(issued_on__gte=query.date_from)
    if query.date_to:
        documents = documents.filter(issued_on__lte=query.date_to)
    return documents.select_related("issuing_body", "owning_body")


# A text search first looks among this many of the newest documents (times the page number).
RECENT_WINDOW = 5000


def documents_search_page(
    user: User,
    query: DocumentQuery,
    raw_number: str | None,
    prepare: Callable[[QuerySet[Document]], QuerySet[Document]] = lambda documents: documents,
) -> Page:
    """One page of ``documents_search``, fast for frequent words too.

    PostgreSQL cannot estimate how many documents hold all the words of a query (its
    statistics treat "phê" and "duyệt" as independent), so for frequent words it read every
    match through the GIN index and sorted them — 25,000 rows and seconds for "quyết định phê
    duyệt" among 500,000 documents. The newest documents, though, are a prefix of the list's
    order: when the first RECENT_WINDOW of them already hold the whole page (and the next
    page's first row), that page is the page, and checking a few thousand rows one by one is
    cheap. Otherwise (rare words) the indexed search runs, and finds few rows. *prepare*
    adds what the page shows (extra columns) to either query.
    """
    documents = prepare(documents_search(user, query))
    number = Page.number_of(raw_number)
    if connection.vendor != "postgresql" or not fts_prefixes(query_terms(query.text)):
        return Page.of(documents, number)
    recent = _recent_prefix(RECENT_WINDOW * number)
    if recent is not None:
        page = Page.of(prepare(documents_search(user, query, recent=recent)), number)
        if page.has_next:  # full, and the next page starts inside the window too
            return page
    return Page.of(documents, number)


def _recent_prefix(count: int) -> Q | None:
    """The documents up to the *count*-th newest in the lists' order (issued_on descending,
    undated first, then created_at, then id), as a filter; None when there are fewer."""
    boundary = (
        Document.objects.order_by("-issued_on", "-created_at", "-pk")
        .values_list("issued_on", "created_at")[count - 1 : count]
        .first()
    )
    if boundary is None:
        return None
    issued_on, created_at = boundary
    if issued_on is None:  # undated come first: the prefix is the newest undated ones
        return Q(issued_on__isnull=True, created_at__gte=created_at)
    return Q(issued_on__isnull=True) | Q(issued_on__gte=issued_on)


def _text_matches(
    documents: QuerySet[Document], terms: list[str], *, indexed: bool = True
) -> QuerySet[Document]:
    """Every term must occur in the folded ``search_text``.

    On PostgreSQL the full-text index (migrations 0005, 0006) first keeps the rows that have
    words starting with each term's letters and digits, without scanning the table; the
    substring match then checks each whole term, so both databases give the same results. A
    term that is one run of letters and digits needs no substring check there: a word that
    starts with it contains it (and the redundant check made PostgreSQL expect almost no rows).
    ``indexed=False`` checks the vector row by row instead of through the index (a window of
    recent rows: the index would read every match in the table).
    """
    if connection.vendor == "postgresql" and (prefixes := fts_prefixes(terms)):
        query = _prefix_query(prefixes)
        if indexed:
            documents = documents.alias(search_vector=StoredVector()).filter(search_vector=query)
        else:
            documents = documents.alias(fts_match=VectorMatch(StoredVector(), query)).filter(
                fts_match=True
            )
        terms = [term for term in terms if not _WHOLE_WORD.fullmatch(term)]
    for term in terms:
        documents = documents.filter(search_text__contains=term)
    return documents


_WHOLE_WORD = re.compile(r"[a-z0-9]+")


class VectorMatch(Func):
    """``vector @@ query`` spelled as its function, which no index serves: evaluated per row."""

    function = "ts_match_vq"
    output_field = BooleanField()


def _prefix_query(prefixes: list[str]) -> Any:
    from django.contrib.postgres.search import SearchQuery

    # Safe as a raw tsquery: every prefix is [a-z0-9]+ (see fts_prefixes).
    raw = " & ".join(f"{prefix}:*" for prefix in prefixes)
    return SearchQuery(raw, search_type="raw", config="simple")


class StoredVector(RawSQL):
    """The ``search_vector`` column PostgreSQL keeps from ``search_text`` (migration 0006:
    a generated column, not a model field) and its GIN index."""

    def __init__(self) -> None:
        from django.contrib.postgres.search import SearchVectorField

        super().__init__('"documents_document"."search_vector"', [], SearchVectorField())


# --- Private notes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteView:
    """A note as its author sees it while reading one version of the document."""

    note: DocumentNote
    # The note's page is past the end of the version being read (a later version lost pages):
    # it is listed as "trang không còn" instead of being drawn on a page.
    page_gone: bool


def notes_of(user: User, document: Document) -> QuerySet[DocumentNote]:
    """*user*'s own notes on *document*. Nobody else's, whatever their role: notes are private,
    so there is no "all notes" read for clerks or superusers anywhere."""
    if not getattr(user, "is_authenticated", False) or not document_visible_to(user, document):
        return DocumentNote.objects.none()
    return DocumentNote.objects.filter(author=user, document=document)


def note_of(user: User, *, document: Document, note_id: int) -> DocumentNote | None:
    return notes_of(user, document).filter(pk=note_id).first()


def notes_for_reading(user: User, version: DocumentVersion) -> list[NoteView]:
    pages = version.blob.page_count
    return [
        NoteView(note, page_gone=bool(pages and note.page and note.page > pages))
        for note in notes_of(user, version.document)
    ]
