"""Live meeting transport: sequence numbers, publish-after-commit, and the per-process hub.

Why a hub instead of one channel-layer member per socket: a group send to N members costs N
channel-layer operations (and with ``RedisChannelLayer`` N Redis writes). Here each *process*
joins a meeting's group once; the event arrives once per process, already serialised, and the
hub writes the same text to every local socket. With ``REDIS_URL`` the group rides
``RedisPubSubChannelLayer`` (one PUBLISH per event, however many processes listen); that layer
is at-most-once across reconnects, which is why every event carries a database sequence number
and clients resynchronise through snapshots.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import F
from redis.exceptions import RedisError

from kyhop import metrics
from kyhop.realtime import envelope
from meetings.models import LiveState

logger = logging.getLogger(__name__)

EVENT = "hop.event"  # the channel-layer message type the hub listens for
# Poll progress is coalesced: a burst of ballots makes one "poll.progress" per process per
# interval, not one per ballot (2,000 ballots x 2,000 screens would be 4 million frames).
PROGRESS_INTERVAL = 0.25
# ...and never sooner than PROGRESS_LOAD times the last fan-out took: at 2,000 screens in one
# process a fan-out takes about a quarter of a second, and progress four times a second would
# leave the event loop no time to acknowledge the ballots themselves.
PROGRESS_LOAD = 4
# A socket whose send keeps the fan-out waiting longer than this is closed (it resyncs).
# Generous on purpose: a busy machine can pause this process for tens of milliseconds
# between two sends, and closing healthy sockets for that lost events in the benchmark.
SLOW_SEND = 2.0
# Seconds a ping answer may reuse the database's sequence number before asking again.
SEQ_CACHE_SECONDS = 1.0


def meeting_group(meeting_id: int) -> str:
    return f"hop.{meeting_id}"


# --- Publishing (sync, inside the service's transaction) ------------------------------------


def next_seq(meeting_id: int) -> int:
    """Take the meeting's next sequence number inside the caller's transaction.

    The UPDATE holds the row lock until commit (PostgreSQL), and SQLite's IMMEDIATE
    transactions hold the write lock, so two processes can never take the same number.
    No savepoint: a failure here must roll back the caller's change with it.
    """
    with transaction.atomic(savepoint=False):
        rows = LiveState.objects.filter(meeting_id=meeting_id)
        if not rows.update(seq=F("seq") + 1):
            LiveState.objects.get_or_create(meeting_id=meeting_id)
            rows.update(seq=F("seq") + 1)
        return rows.values_list("seq", flat=True).get()


def current_seq(meeting_id: int) -> int:
    return (
        LiveState.objects.filter(meeting_id=meeting_id).values_list("seq", flat=True).first() or 0
    )


def live_publish(meeting_id: int, kind: str, payload: dict[str, Any]) -> int:
    """Announce a change to every screen of the meeting once the transaction commits.

    Call it inside the service's ``transaction.atomic``: the sequence number is taken in that
    transaction and nothing is sent if it rolls back. Serialised here, once.
    """
    with transaction.atomic(savepoint=False):
        seq = next_seq(meeting_id)
        text = envelope(kind, seq, payload)
        transaction.on_commit(lambda: _broadcast(meeting_id, seq, text, staff=False))
    return seq


def live_publish_staff(meeting_id: int, kind: str, payload: dict[str, Any]) -> None:
    """Send to the chair, secretary and organisers only (names of who has not voted…).

    These carry no sequence number: others never see them, so numbering them would show
    everyone else a gap. Each carries a whole list, so a lost one is repaired by the next.
    """
    text = envelope(kind, None, payload)
    transaction.on_commit(lambda: _broadcast(meeting_id, None, text, staff=True))


def _broadcast(meeting_id: int, seq: int | None, text: str, *, staff: bool) -> None:
    message = {"type": EVENT, "meeting": meeting_id, "seq": seq, "staff": staff, "text": text}
    layer = get_channel_layer()
    try:
        async_to_sync(layer.group_send)(meeting_group(meeting_id), message)
    except (OSError, RedisError) as exc:
        # The change is committed; screens notice the missing number on their next ping and
        # take a snapshot. Failing the request now would make the user retry a done action.
        logger.warning("live event %s for meeting %s not sent: %s", seq, meeting_id, exc)


# --- The hub (one per process and event loop) -----------------------------------------------


class Listener(Protocol):
    """What the hub needs from a socket (see ``HopConsumer``)."""

    is_staff: bool

    def holding(self) -> bool: ...

    def hold(self, message: dict[str, Any]) -> None: ...

    async def push(self, message: dict[str, Any]) -> None: ...

    def too_slow(self) -> None: ...


class LiveHub:
    """Process-local fan-out: meeting id → the sockets of this process in that meeting."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.members: dict[int, set[Listener]] = {}
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._seq_cache: dict[int, tuple[float, int]] = {}
        self._progress_due: set[int] = set()
        self.fanout_seconds = 0.0  # how long the last fan-out took, to pace progress events

    async def join(self, meeting_id: int, listener: Listener) -> None:
        async with self._lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel("hub.")
                self._task = self.loop.create_task(self._run())
            # Added on every join, not only the first: the in-memory layer forgets group members
            # after a day (group_expiry), and a long session must not fall silent.
            await self.layer.group_add(meeting_group(meeting_id), self.channel)
            self.members.setdefault(meeting_id, set()).add(listener)
            metrics.live_sockets_set(self.members)

    async def leave(self, meeting_id: int, listener: Listener) -> None:
        async with self._lock:
            members = self.members.get(meeting_id)
            if members is None:
                return
            members.discard(listener)
            if not members and self.channel is not None:
                del self.members[meeting_id]
                await self.layer.group_discard(meeting_group(meeting_id), self.channel)
            metrics.live_sockets_set(self.members)

    async def _run(self) -> None:
        assert self.channel is not None
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except (OSError, RedisError) as exc:
                # Redis restarting: the layer reconnects and resubscribes; screens catch up
                # through ping → snapshot. Back off a little rather than spin.
                logger.warning("live hub receive failed: %s", exc)
                await asyncio.sleep(1)
                continue
            if message.get("type") == EVENT:
                await self.deliver(message)

    async def deliver(self, message: dict[str, Any]) -> None:
        """Write the pre-serialised text to every local socket of the meeting, in turn.

        A plain loop of awaits: uvicorn's (and daphne's) WebSocket send writes to the transport
        without waiting, so one await per socket costs microseconds; measured against one task
        per socket it was 15-20 % faster at 1,000 sockets. A send that does wait (another
        server, a full buffer) past SLOW_SEND marks that socket too slow: it is closed and
        resynchronises by snapshot, instead of holding up everyone else's events for longer.
        """
        meeting_id = message["meeting"]
        seq = message.get("seq")
        if seq is not None:
            self._seq_cache[meeting_id] = (time.monotonic(), seq)
        members = self.members.get(meeting_id)
        if not members:
            return
        outgoing = {"type": "websocket.send", "text": message["text"]}
        staff_only = message.get("staff", False)
        clock = time.perf_counter
        began = clock()
        for listener in tuple(members):
            if staff_only and not listener.is_staff:
                continue
            if listener.holding():
                listener.hold(outgoing)  # its snapshot is on the way; sent right after it
                continue
            started = clock()
            await listener.push(outgoing)
            if clock() - started > SLOW_SEND:
                listener.too_slow()
        if not staff_only:
            self.fanout_seconds = clock() - began
        metrics.fanout_observed(clock() - began, len(members))

    async def seq_of(self, meeting_id: int) -> int:
        """The meeting's sequence number from the database, reused for a second at most."""
        cached = self._seq_cache.get(meeting_id)
        if cached and time.monotonic() - cached[0] < SEQ_CACHE_SECONDS:
            return cached[1]
        seq = await database_sync_to_async(current_seq)(meeting_id)
        self._seq_cache[meeting_id] = (time.monotonic(), seq)
        return seq

    def progress_soon(self, poll_id: int, publish: Callable[[int], None]) -> None:
        """Publish the poll's progress once per interval however many ballots come in.

        The interval is PROGRESS_INTERVAL, stretched to PROGRESS_LOAD times the last fan-out
        in large meetings: counts may lag a second; acknowledgements must not.
        """
        if poll_id in self._progress_due:
            return
        self._progress_due.add(poll_id)
        self.loop.call_later(self.progress_delay(), self._progress_now, poll_id, publish)

    def progress_delay(self) -> float:
        return max(PROGRESS_INTERVAL, PROGRESS_LOAD * self.fanout_seconds)

    def _progress_now(self, poll_id: int, publish: Callable[[int], None]) -> None:
        self._progress_due.discard(poll_id)
        # A fresh context: the callback was scheduled from the database thread, whose context
        # marks asgiref's single-thread executor as busy and would refuse this call.
        coro = database_sync_to_async(publish)(poll_id)
        self.loop.create_task(coro, context=contextvars.Context())


_hubs: dict[asyncio.AbstractEventLoop, LiveHub] = {}


def process_hub() -> LiveHub:
    """This process's hub (one per event loop: tests run a fresh loop per test)."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        for stale in [other for other in _hubs if other.is_closed()]:
            del _hubs[stale]
        found = _hubs[loop] = LiveHub(loop)
    return found


def running_hub() -> LiveHub | None:
    """The hub of a live event loop in this process, for sync code (views, services)."""
    for loop, found in _hubs.items():
        if not loop.is_closed() and loop.is_running():
            return found
    return None


def progress_soon(poll_id: int, publish: Callable[[int], None]) -> None:
    """From any thread: coalesce a poll's progress broadcast, or publish now without a hub."""
    found = running_hub()
    if found is None:
        publish(poll_id)
        return
    found.loop.call_soon_threadsafe(
        found.progress_soon, poll_id, publish, context=contextvars.Context()
    )
