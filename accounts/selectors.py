"""Reads about people and bodies."""

from __future__ import annotations

import functools

from django.db.models import QuerySet

from accounts.models import Membership, User
from accounts.text import fold
from accounts.widgets import Person, details_of, person_of


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("body", "body__parent")
        .order_by("body__name")
    )


# The same names and units are folded at every keystroke: kept, a province's fit many times.
_folded = functools.lru_cache(maxsize=16384)(fold)
# Up to this many keys are asked for by name (IN); more, by their span.
_FEW = 200


def people_matching(allowed: frozenset[int], query: str, limit: int) -> tuple[list[Person], bool]:
    """The people of *allowed* whose name, position, role or unit hold every word of *query*
    (folded: "pho chu tich" finds "Phó Chủ tịch"), by name; whether there were more.

    Two queries whatever the number of people (the people, then their memberships); folding
    1,500 people in Python takes a few milliseconds, less than a round trip per person would,
    and behaves the same on SQLite and PostgreSQL. Those whose name matches come first, so
    typing a name is not drowned by everyone of a matching unit.
    """
    terms = [term for term in fold(query).split(" ") if term]
    if not allowed:
        return [], False
    users = User.objects.filter(is_active=True)
    # A long list of keys makes a slow query to build and to plan; the keys' span, then a
    # set lookup here, asks the same in one range (the province's people are mostly in it).
    if len(allowed) > _FEW:
        users = users.filter(pk__range=(min(allowed), max(allowed)))
    else:
        users = users.filter(pk__in=allowed)
    rows = [
        row
        for row in users.order_by("full_name", "username").values_list(
            "pk", "full_name", "username", "position"
        )
        if row[0] in allowed
    ]
    details = details_of(users.values("pk"))
    by_name: list[Person] = []
    by_other: list[Person] = []
    for pk, full_name, username, position in rows:
        person = person_of(pk, full_name or username, position, details.get(pk, ("", [])))
        name = _folded(person.name)
        if all(term in name for term in terms):
            by_name.append(person)
        elif terms:
            haystack = f"{name} {_folded(person.detail)}"
            if all(term in haystack for term in terms):
                by_other.append(person)
        if len(by_name) > limit:
            break
    found = (by_name + by_other)[: limit + 1]
    return found[:limit], len(found) > limit
