"""The request type of a page only a signed-in account reaches.

``HttpRequest.user`` may be anonymous; behind ``login_required`` it never is, and views that
declare ``AuthenticatedRequest`` let the type checker know it, so they pass ``request.user``
to services that take a ``User`` without a check at every call.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import User


class AuthenticatedRequest(HttpRequest):
    user: User


def request_user(request: HttpRequest) -> User:
    """The signed-in account of a request whose base signature says ``HttpRequest`` (admin
    hooks, class-based views); an anonymous one never gets this far, so it is refused."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
