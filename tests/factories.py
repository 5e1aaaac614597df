"""Small builders for test data, going through the same services the app uses."""

from __future__ import annotations

import itertools
from typing import Any

from accounts.models import Body, User
from accounts.services import body_create, membership_set, user_create

_counter = itertools.count(1)


def make_body(
    *,
    code: str | None = None,
    name: str = "Sở Thử nghiệm",
    symbol: str = "STN",
    parent: Body | None = None,
    total_members: int = 10,
) -> Body:
    return body_create(
        actor=None,
        code=code or f"body-{next(_counter)}",
        name=name,
        symbol=symbol,
        parent=parent,
        total_members=total_members,
    )


def make_user(
    *,
    username: str | None = None,
    full_name: str = "Nguyễn Thị Thử",
    password: str = "mat-khau-thu-1",  # noqa: S107 - a test password
    body: Body | None = None,
    role: str = "member",
    **extra: Any,
) -> User:
    user = user_create(
        actor=None,
        username=username or f"user{next(_counter)}",
        full_name=full_name,
        password=password,
        **extra,
    )
    if body is not None:
        membership_set(actor=None, user=user, body=body, role=role)
    return user
