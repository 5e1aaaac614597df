"""The audit chain the seeded history implies, linked and hashed as ``audit_record`` does.

Events are collected per slice of history (a month), sorted by time, then numbered, linked
to the previous event and hashed with ``audit.services.event_digest`` itself, so
``audit_verify`` checks them exactly like events written one at a time. The chain continues
from whatever the database already holds (the demo data, earlier events): the seed takes the
same advisory lock as every writer for its whole transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.core.serializers.json import DjangoJSONEncoder

from audit.models import AuditEvent
from audit.services import GENESIS_HASH, audit_chain_lock, canonical_details, event_digest
from meetings.seed_scale.writer import Writer, json_text


class _Event:
    """What ``event_digest`` reads, without building a model instance per event."""

    __slots__ = (
        "actor_id",
        "actor_label",
        "at",
        "details",
        "hash",
        "object_id",
        "object_type",
        "prev_hash",
        "seq",
        "verb",
    )
    actor_id: int | None
    actor_label: str
    at: dt.datetime
    details: dict[str, Any]
    hash: str
    object_id: str
    object_type: str
    prev_hash: str
    seq: int
    verb: str


class Chain:
    def __init__(self, writer: Writer) -> None:
        audit_chain_lock()
        last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
        self.seq = last.seq if last else 0
        self.hash = last.hash if last else GENESIS_HASH
        self.pending: list[tuple[dt.datetime, int, Any]] = []
        self.table = writer.table(
            AuditEvent,
            [
                "seq",
                "at",
                "actor",
                "actor_label",
                "verb",
                "object_type",
                "object_id",
                "details",
                "prev_hash",
                "hash",
            ],
        )
        self._order = 0

    def add(
        self,
        at: dt.datetime,
        actor: tuple[int, str] | None,
        verb: str,
        object_type: str,
        object_id: int | str,
        details: dict[str, Any] | None = None,
    ) -> None:
        """*actor* is (user id, label as ``audit.services._actor_label`` makes it) or None."""
        # The running counter keeps events of the same instant in the order they were added
        # (a version before its document's "created", as the services write them).
        self._order += 1
        self.pending.append((at, self._order, (actor, verb, object_type, str(object_id), details)))

    def flush(self) -> int:
        """Number, link, hash and write the pending events in time order."""
        self.pending.sort(key=lambda entry: (entry[0], entry[1]))
        for at, _order, (actor, verb, object_type, object_id, details) in self.pending:
            event = _Event()
            self.seq += 1
            event.seq = self.seq
            event.at = at
            event.actor_id = actor[0] if actor else None
            event.actor_label = actor[1] if actor else "hệ thống"
            event.verb = verb
            event.object_type = object_type
            event.object_id = object_id
            event.details = _plain(details)
            event.prev_hash = self.hash
            # event_digest reads only the fields an _Event carries, as it does of audit's rows.
            event.hash = self.hash = event_digest(cast(AuditEvent, event))
            self.table.add(
                event.seq,
                at,
                event.actor_id,
                event.actor_label,
                verb,
                object_type,
                object_id,
                json_text(event.details),
                event.prev_hash,
                event.hash,
            )
        written = len(self.pending)
        self.pending = []
        return written


_ENCODER = DjangoJSONEncoder()


def _plain(details: dict[str, Any] | None) -> dict[str, Any]:
    """``canonical_details`` for what the seed writes, without its JSON round trip per event.

    The seed's details are already plain JSON of NFC strings, except dates and times, which
    become the strings ``DjangoJSONEncoder`` makes. Anything else takes the real function.
    A mismatch could not hide: ``audit_verify`` recomputes every hash from the stored row.
    """
    if not details:
        return {}
    plain: dict[str, Any] = {}
    for key, value in details.items():
        if isinstance(value, dt.date):
            plain[key] = _ENCODER.default(value)
        elif _is_plain(value):
            plain[key] = value
        else:
            return canonical_details(details)
    return plain


def _is_plain(value: Any) -> bool:
    if value is None or isinstance(value, str | int):  # bool is an int
        return True
    if isinstance(value, list):
        return all(_is_plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v) for k, v in value.items())
    return False
