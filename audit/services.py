"""The one way to write to the audit log, and the chain check."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from audit.models import AuditCheckpoint, AuditEvent

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


def event_digest(event: AuditEvent | _Row) -> str:
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


def audit_chain_lock() -> None:
    """Hold the chain's writer lock until the transaction ends (bulk writers: ``seed_scale``)."""
    _lock_chain()


def _actor_label(actor: AbstractBaseUser | None) -> str:
    if actor is None:
        return "hệ thống"
    full_name = getattr(actor, "full_name", "") or ""
    return f"{actor.get_username()} ({full_name})" if full_name else actor.get_username()


@transaction.atomic
def audit_record(
    *,
    # Django's base user: audit sits below accounts and imports no other app.
    actor: AbstractBaseUser | None,
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
    # The stubs type the foreign key as accounts' User, which audit reaches only through
    # AUTH_USER_MODEL; that model is the one AbstractBaseUser here always is.
    event = AuditEvent(  # type: ignore[misc]
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
    # Where this run started: 0 for the first event, else the checkpoint's seq.
    started_after: int = 0
    last_seq: int = 0
    # Checkpoints not used because their signature did not verify (ids).
    ignored_checkpoints: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        return self.first_break is None


class _Row:
    """An event as ``event_digest`` reads it, from a plain row (no model instance per event)."""

    __slots__ = (
        "actor_id",
        "actor_label",
        "at",
        "details",
        "hash",
        "id",
        "object_id",
        "object_type",
        "prev_hash",
        "seq",
        "verb",
    )
    actor_id: int | None
    actor_label: str
    at: datetime
    details: dict[str, Any]
    hash: str
    id: int
    object_id: str
    object_type: str
    prev_hash: str
    seq: int
    verb: str

    def __init__(self, values: tuple[Any, ...]) -> None:
        for name, value in zip(_ROW_FIELDS, values, strict=True):
            setattr(self, name, value)


_ROW_FIELDS = (
    "id",
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "verb",
    "object_type",
    "object_id",
    "details",
    "prev_hash",
    "hash",
)


def _events(after: int = 0) -> Iterator[_Row]:
    rows = (
        AuditEvent.objects.filter(seq__gt=after)
        .order_by("seq")
        .values_list(*_ROW_FIELDS)
        .iterator(chunk_size=5000)
    )
    return map(_Row, rows)


def _checkpoint_signature(
    seq: int, hash_: str, verified_at: Any, *, secret: str | None = None
) -> str:
    stamp = verified_at.astimezone(UTC).isoformat(timespec="microseconds")
    return salted_hmac(
        "kyhop.audit.checkpoint", f"{seq}:{hash_}:{stamp}", secret=secret, algorithm="sha256"
    ).hexdigest()


def _checkpoint_genuine(checkpoint: AuditCheckpoint) -> bool:
    """Signed with the current SECRET_KEY or one of its fallbacks (a key being rotated)."""
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        expected = _checkpoint_signature(
            checkpoint.seq, checkpoint.hash, checkpoint.verified_at, secret=secret
        )
        if constant_time_compare(expected, checkpoint.signature):
            return True
    return False


def _start_from(checkpoint: AuditCheckpoint) -> ChainBreak | None:
    """The checkpoint's event must still be there, unchanged, with the hash recorded then."""
    values = AuditEvent.objects.filter(seq=checkpoint.seq).values_list(*_ROW_FIELDS).first()
    row = _Row(values) if values else None
    if row is None:
        return ChainBreak(
            checkpoint.seq,
            None,
            f"mục #{checkpoint.seq} đã được kiểm tra lúc "
            f"{checkpoint.verified_at:%Y-%m-%d %H:%M} nhưng nay không còn (đã bị xoá)",
        )
    if row.hash != checkpoint.hash or event_digest(row) != checkpoint.hash:
        return ChainBreak(
            row.seq,
            row.id,
            f"mục #{row.seq} khác với lúc kiểm tra {checkpoint.verified_at:%Y-%m-%d %H:%M} "
            "(chuỗi phía trước đã bị viết lại)",
        )
    return None


def audit_chain_verify(
    *, from_checkpoint: bool = False, record_checkpoint: bool = False
) -> ChainReport:
    """Walk the chain in order and return the first entry that was altered, removed or inserted.

    By default from the first event (what ``audit_verify --full`` does), and then every
    genuine checkpoint is compared with the chain just walked. With *from_checkpoint*, from
    the latest genuine checkpoint (see ``AuditCheckpoint`` for what that run can and cannot
    see). With *record_checkpoint*, an intact walk leaves a new checkpoint at its last event.
    """
    checkpoints = list(AuditCheckpoint.objects.order_by("-seq"))
    genuine = [c for c in checkpoints if _checkpoint_genuine(c)]
    ignored = tuple(c.pk for c in checkpoints if c not in genuine)
    start = genuine[0] if from_checkpoint and genuine else None
    expected_seq, prev_hash, after = 1, GENESIS_HASH, 0
    if start is not None:
        problem = _start_from(start)
        if problem:
            return ChainReport(0, problem, start.seq, start.seq, ignored)
        expected_seq, prev_hash, after = start.seq + 1, start.hash, start.seq
    marks = {} if start is not None else {c.seq: c for c in genuine}
    checked = 0
    for event in _events(after=after):
        problem = _check_event(event, expected_seq, prev_hash) or _check_mark(event, marks)
        if problem:
            return ChainReport(checked, problem, after, expected_seq - 1, ignored)
        checked += 1
        expected_seq = event.seq + 1
        prev_hash = event.hash
    last = expected_seq - 1
    if marks and max(marks) > last:
        lost = min(seq for seq in marks if seq > last)
        problem = ChainBreak(
            lost, None, f"mục #{lost} đã được kiểm tra trước đây nhưng nay không còn (đã bị xoá)"
        )
        return ChainReport(checked, problem, after, last, ignored)
    if record_checkpoint and last > 0 and (start is None or last > start.seq):
        _checkpoint_write(last, prev_hash, checked, full=start is None)
    return ChainReport(checked, None, after, last, ignored)


def _check_mark(event: _Row, marks: dict[int, AuditCheckpoint]) -> ChainBreak | None:
    checkpoint = marks.get(event.seq)
    if checkpoint is None or checkpoint.hash == event.hash:
        return None
    return ChainBreak(
        event.seq,
        event.id,
        f"mục #{event.seq} khác với lúc kiểm tra {checkpoint.verified_at:%Y-%m-%d %H:%M} "
        "(chuỗi đã bị viết lại)",
    )


def _checkpoint_write(seq: int, hash_: str, checked: int, *, full: bool) -> None:
    if AuditCheckpoint.objects.filter(seq=seq).exists():
        return
    now = timezone.now()
    AuditCheckpoint.objects.create(
        seq=seq,
        hash=hash_,
        verified_at=now,
        checked=checked,
        full=full,
        signature=_checkpoint_signature(seq, hash_, now),
    )


def _check_event(event: Any, expected_seq: int, prev_hash: str) -> ChainBreak | None:
    if event.seq != expected_seq:
        return ChainBreak(
            expected_seq,
            None,
            f"thiếu mục #{expected_seq}: mục kế tiếp là #{event.seq} (đã bị xoá)",
        )
    if event.prev_hash != prev_hash:
        return ChainBreak(
            event.seq,
            event.id,
            f"mục #{event.seq} không nối với mục trước (bị chèn hoặc mục trước đã bị thay)",
        )
    if event_digest(event) != event.hash:
        return ChainBreak(event.seq, event.id, f"mục #{event.seq} đã bị sửa sau khi ghi")
    return None
