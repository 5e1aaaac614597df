"""Reads about people and bodies."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Membership, User


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("body", "body__parent")
        .order_by("body__name")
    )
