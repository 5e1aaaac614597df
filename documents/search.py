"""Diacritic-insensitive search text, the same on SQLite and PostgreSQL.

Vietnamese users often type without accents ("quyet dinh"); folding both the stored text and the
query to lower-case ASCII-like letters makes a plain substring match find "Quyết định".
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import IO

from pypdf import PdfReader

from documents.uploads.checks import PDF_PARSE_ERRORS

logger = logging.getLogger(__name__)

_SPACES = re.compile(r"\s+")
# đ/Đ are letters of their own, not d plus a combining mark, so NFD does not split them.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower-case *text*, drop diacritics and collapse whitespace."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


def query_terms(query: str) -> list[str]:
    """Split a user's query into folded words; every word must occur (AND)."""
    return [term for term in fold(query).split(" ") if term]


# What PostgreSQL indexes of the folded text: runs of letters and digits. The index (migration
# 0005) and the query (``documents.selectors``) share this one expression, or the index is unused.
_WORD = re.compile(r"[a-z0-9]+")
FTS_VECTOR_SQL = (
    "to_tsvector('simple'::regconfig, "
    "regexp_replace(COALESCE({column}, ''), '[^a-z0-9]+', ' ', 'g'))"
)


def fts_prefixes(terms: list[str]) -> list[str]:
    """The letter-and-digit runs of folded *terms*, each to match as a word prefix.

    "12/qd-ubnd" gives "12", "qd", "ubnd": the index narrows the rows, then a substring match
    on the whole term keeps the result exactly what SQLite finds.
    """
    return [word for term in terms for word in _WORD.findall(term)]


def pdf_text(stream: IO[bytes], *, max_chars: int) -> str:
    """Folded text of the PDF in *stream*, page by page until *max_chars* (for search only).

    The PDF has already passed ``pdf_check``; a page whose text cannot be extracted (odd fonts,
    scanned images) simply contributes nothing instead of refusing the upload.
    """
    if max_chars <= 0:
        return ""
    parts: list[str] = []
    total = 0
    try:
        reader = PdfReader(stream, strict=False)
        for page in reader.pages:
            chunk = fold(page.extract_text() or "")
            parts.append(chunk)
            total += len(chunk) + 1
            if total >= max_chars:
                break
    except PDF_PARSE_ERRORS as exc:
        logger.info("PDF text extraction stopped: %s: %s", type(exc).__name__, exc)
    finally:
        stream.seek(0)
    return " ".join(parts)[:max_chars]
