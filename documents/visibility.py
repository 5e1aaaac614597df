"""Extension point: other apps grant visibility of documents without documents importing them.

The meetings app, which sits above documents, registers a provider when it loads (in its
``AppConfig.ready``), for example "participants of a meeting see the documents on its agenda".
Documents asks every registered provider when it builds ``documents_visible_to``.

A provider takes the user and returns a ``Q`` over ``Document`` that *grants* visibility. It
should use ``pk__in=<subquery>`` rather than joins, so that the combined query does not repeat
rows. Confidentiality still applies on top of every grant: a provider cannot show a "mật"
document to someone not cleared for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q

VisibilityProvider = Callable[[Any], Q]

# Filled once at start-up from AppConfig.ready(), then only read; keyed by name so that a
# module imported twice (autoreload) replaces its entry instead of adding another. A test adds
# one for its own duration with ``monkeypatch.setitem(providers, name, provider)``.
providers: dict[str, VisibilityProvider] = {}


def visibility_provider_register(name: str, provider: VisibilityProvider) -> None:
    providers[name] = provider


def visibility_grants(user: Any) -> Q:
    """The OR of every provider's grant for *user* (an empty Q matches nothing when ORed)."""
    combined = Q(pk__in=[])
    for provider in providers.values():
        combined |= provider(user)
    return combined
