"""Reads about people and bodies."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet

from accounts.models import Membership, User

COLLEAGUES_SECONDS = 300
_COLLEAGUES_GENERATION = "colleagues:generation"


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("body", "body__parent")
        .order_by("body__name")
    )


def colleagues_of(user: User) -> list[tuple[int, str]]:
    """Active people who share a body with *user* (not themselves), as (id, name), by name.

    Cached per person: the join cost more than a page's other queries together. (Substitutes
    are no longer offered from this list but from the meetings' own rule,
    ``meetings.preparation.substitutes``, which also weighs clearance and the invitation list.)
    The key carries a generation that any change to a person or a membership bumps
    (``accounts.signals``): never stale within a process, nor across processes on the shared
    Redis cache; with per-process memory caches, stale for at most COLLEAGUES_SECONDS.
    """
    generation = cache.get_or_set(_COLLEAGUES_GENERATION, 0, None)
    key = f"colleagues:{generation}:{user.pk}"
    rows = cache.get(key)
    if rows is None:
        rows = list(
            User.objects.filter(
                is_active=True,
                memberships__body__in=Membership.objects.filter(user=user).values("body"),
            )
            .exclude(pk=user.pk)
            .distinct()
            .order_by("full_name")
            .values_list("pk", "full_name")
        )
        cache.set(key, rows, COLLEAGUES_SECONDS)
    return rows


def colleagues_changed() -> None:
    """Forget every cached colleague list (a person or a membership changed)."""
    try:
        cache.incr(_COLLEAGUES_GENERATION)
    except ValueError:  # not set yet, or evicted: any new value starts a new generation
        cache.set(_COLLEAGUES_GENERATION, 1, None)
