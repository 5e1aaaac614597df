"""Folding Vietnamese text for search: lower case, no marks, đ as d ("Nguyễn" → "nguyen").

The same rule as ``documents.search.fold`` (tests check they agree): people search lives here
because imports run ``accounts ← documents``, and a person's name is folded the same way as a
document's title so that one habit of typing without marks finds both.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# đ/Đ are letters of their own, not d plus a combining mark, so NFD does not split them.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower-case *text*, drop diacritics and collapse whitespace."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()
