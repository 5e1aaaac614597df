"""Pages of long lists without counting the whole list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

PAGE_SIZE = 50
# Deep pages cost an OFFSET scan; past this, the search form is the way in.
MAX_PAGE = 200


@dataclass
class Page:
    """A page of a list without counting the whole list: one row more than a page tells
    whether there is a next one. Counting every matching document (500,000 in a province, or
    every hit of a frequent word) cost more than reading the page itself."""

    object_list: list[Any]
    number: int
    has_next: bool

    @staticmethod
    def number_of(raw_number: str | int | None) -> int:
        if isinstance(raw_number, int):
            number = raw_number
        else:
            number = int(raw_number) if raw_number and raw_number.isdigit() else 1
        return max(1, min(number, MAX_PAGE))

    @classmethod
    def of(cls, queryset: QuerySet, raw_number: str | int | None) -> Page:
        number = cls.number_of(raw_number)
        start = (number - 1) * PAGE_SIZE
        rows = list(queryset[start : start + PAGE_SIZE + 1])
        return cls(rows[:PAGE_SIZE], number, len(rows) > PAGE_SIZE)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1
