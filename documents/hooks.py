"""Extension points: apps above documents react to new versions and add columns to its tables,
without documents importing them (see ``visibility`` for the same pattern).

- ``version_added_register``: a callback ``(actor=, version=)`` run once the transaction that
  stored a version has committed — signing validates incoming PDFs this way (Decree 30,
  Art. 21.2(a)). Callbacks run "robustly": a failing one is logged and never undoes, nor
  hides, the registration that already happened.
- ``column_register``: an extra column of the document list (``DOCUMENT``) or of a document's
  version history (``VERSION``). Its ``annotate`` adds what the cell shows to the queryset
  (a subquery), so a page costs the same number of queries whatever the number of rows.
- ``action_register``: buttons an app adds to a document (its page, its list row, the reader),
  computed for a whole page of documents at once (a fixed number of queries per page).

Registries are filled once from ``AppConfig.ready()`` and then only read; they are keyed by
name so that a module imported twice replaces its entry instead of adding another.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

DOCUMENT = "document"
VERSION = "version"

VersionAdded = Callable[..., None]


@dataclass(frozen=True)
class Column:
    heading: str
    annotate: Callable[[QuerySet], QuerySet]
    # The cell for one annotated row: plain text (escaped) or SafeString HTML.
    cell: Callable[[Any], str]


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    icon: str = ""


# (user, documents) -> {document id: [actions]}: who may do what decides the app that acts.
ActionsFor = Callable[[Any, list[Any]], dict[int, list[Action]]]

_version_added: dict[str, VersionAdded] = {}
_actions: dict[str, ActionsFor] = {}
_columns: dict[str, dict[str, Column]] = {DOCUMENT: {}, VERSION: {}}


def version_added_register(name: str, callback: VersionAdded) -> None:
    _version_added[name] = callback


def version_added_notify(*, actor: Any, version: Any) -> None:
    """Run every callback after the current transaction commits (at once outside one)."""
    for callback in _version_added.values():
        transaction.on_commit(
            functools.partial(callback, actor=actor, version=version), robust=True
        )


def column_register(table: str, name: str, column: Column) -> None:
    _columns[table][name] = column


def columns(table: str) -> list[Column]:
    return list(_columns[table].values())


def annotate(table: str, queryset: QuerySet) -> QuerySet:
    for column in _columns[table].values():
        queryset = column.annotate(queryset)
    return queryset


def rows(table: str, objects: Any) -> list[tuple[Any, list[str]]]:
    """Each object with its extra cells, in ``columns(table)`` order."""
    extra = columns(table)
    return [(obj, [column.cell(obj) for column in extra]) for obj in objects]


def action_register(name: str, provider: ActionsFor) -> None:
    _actions[name] = provider


def actions(user: Any, documents: Any) -> dict[int, list[Action]]:
    """The extra actions *user* may take on each of *documents*, by document id."""
    documents = list(documents)
    found: dict[int, list[Action]] = {}
    for provider in _actions.values():
        for pk, extra in provider(user, documents).items():
            found.setdefault(pk, []).extend(extra)
    return found
