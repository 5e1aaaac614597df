"""Search gives the same answers on SQLite (folded substrings) and PostgreSQL (full-text index
over the folded text); on PostgreSQL the GIN index exists and the query can use it."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from documents.models import Document
from documents.selectors import DocumentQuery, documents_search
from tests.documents.helpers import pdf_bytes, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("doc_storage")]


@pytest.fixture
def documents(make_document):
    decision = make_document(
        doc_type="quyet_dinh",
        abstract="Phê duyệt Đề án chuyển đổi số",
        number="12",
        symbol="QĐ-UBND",
        issued_on=date(2026, 2, 5),
        upload=upload("qd.pdf", pdf_bytes(1, text="Dieu 1 phe duyet de an")),
    )
    report = make_document(
        doc_type="bao_cao",
        abstract="Tình hình thực hiện nhiệm vụ quý I",
        number="30",
        symbol="BC-STTTT",
        upload=upload("bc.pdf", pdf_bytes(2, text="Ngan sach tinh Bac Ninh giai ngan")),
    )
    return decision, report


def _found(user, text: str) -> list[Document]:
    return list(documents_search(user, DocumentQuery(text=text)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("quyet dinh", ["decision"]),
        ("Quyết định", ["decision"]),
        ("QUYET", ["decision"]),
        ("chuyen doi", ["decision"]),
        ("đề án", ["decision"]),
        ("12/qđ-ubnd", ["decision"]),
        ("ubnd", ["decision"]),
        ("bc-stttt", ["report"]),
        ("giai ngan", ["report"]),  # only inside the PDF
        ("ngan", ["report"]),
        ("duy", ["decision"]),  # a word prefix of "duyệt"
        ("thong tin truyen", ["decision", "report"]),  # the owning body's name
        ("khong co dau", []),
        ("quyet ngan", []),  # every word must occur in the same document
    ],
)
def test_search_answers_the_same_on_every_database(world, documents, text, expected):
    decision, report = documents
    names = {decision.pk: "decision", report.pk: "report"}
    assert sorted(names[d.pk] for d in _found(world.member, text)) == expected


def test_search_never_shows_other_bodies_documents(world, documents):
    assert _found(world.outsider, "quyet dinh") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN index on PostgreSQL only")
def test_postgresql_has_the_gin_index_and_uses_it(world, documents):
    with connection.cursor() as cursor:
        cursor.execute(
            # The stored vector's index (migration 0006) replaced the expression's.
            "SELECT indexdef FROM pg_indexes "
            "WHERE indexname = 'documents_document_search_vector_gin'"
        )
        (definition,) = cursor.fetchone()
        assert "gin" in definition.lower()
        queryset = documents_search(world.member, DocumentQuery(text="quyet dinh"))
        sql, params = queryset.query.sql_with_params()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "documents_document_search_vector_gin" in plan
