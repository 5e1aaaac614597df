"""The one way to write to the audit log, and the chain check."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from audit.models import AuditEvent

GENESIS_HASH = "0" * 64
# Any constant works; it only has to be the same for every writer of the chain.
_ADVISORY_LOCK_KEY = 0x4B79486F70  # "KyHop"


def _nfc(value: Any) -> Any:
    """Normalise every string inside *value* to NFC so equal names hash equally."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nfc(v) for v in value]
    return value


def canonical_details(details: dict[str, Any] | None) -> dict[str, Any]:
    """Reduce *details* to plain JSON (dates, UUIDs, decimals as strings), NFC-normalised."""
    return _nfc(json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder)))


def event_digest(event: AuditEvent) -> str:
    """SHA-256 over the canonical encoding of the event's content and its link."""
    content = {
        "seq": event.seq,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "verb": event.verb,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(unicodedata.normalize("NFC", encoded).encode("utf-8")).hexdigest()


def _lock_chain() -> None:
    """Serialise writers so two transactions never extend the chain from the same row.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: the IMMEDIATE transaction mode already
    holds the database write lock. The unique ``seq`` is the last line of defence either way.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "hệ thống"
    full_name = getattr(actor, "full_name", "") or ""
    return f"{actor.get_username()} ({full_name})" if full_name else actor.get_username()


@transaction.atomic
def audit_record(
    *,
    actor: Any,
    verb: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    *actor* is a user or None (the system). *target* names the object; ``object_type`` and
    ``object_id`` may be given instead for things that are not model instances.
    """
    if target is not None:
        object_type = target._meta.label_lower
        object_id = str(target.pk)
    _lock_chain()
    last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    event = AuditEvent(
        seq=(last.seq + 1) if last else 1,
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_actor_label(actor),
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        details=canonical_details(details),
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    event.hash = event_digest(event)
    event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    event_id: int | None
    reason: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)


def audit_chain_verify() -> ChainReport:
    """Walk the whole chain and return the first entry that was altered, removed or inserted."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for event in _events():
        problem = _check_event(event, expected_seq, prev_hash)
        if problem:
            return ChainReport(checked=checked, first_break=problem)
        checked += 1
        expected_seq = event.seq + 1
        prev_hash = event.hash
    return ChainReport(checked=checked, first_break=None)


def _check_event(event: AuditEvent, expected_seq: int, prev_hash: str) -> ChainBreak | None:
    if event.seq != expected_seq:
        return ChainBreak(
            expected_seq,
            None,
            f"thiếu mục #{expected_seq}: mục kế tiếp là #{event.seq} (đã bị xoá)",
        )
    if event.prev_hash != prev_hash:
        return ChainBreak(
            event.seq,
            event.pk,
            f"mục #{event.seq} không nối với mục trước (bị chèn hoặc mục trước đã bị thay)",
        )
    if event_digest(event) != event.hash:
        return ChainBreak(event.seq, event.pk, f"mục #{event.seq} đã bị sửa sau khi ghi")
    return None
