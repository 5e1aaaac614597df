"""Redis restarts in the middle of a vote: no ballot is lost and screens catch up by themselves.

Two real server processes share a *private* Redis (its own process on a free port, so the
shared one is never disturbed), which the test stops and starts again while officials are
connected to both servers and a poll is open. The clients follow the live protocol: they
compare the ``pong`` sequence number with the last one they saw and, on a gap, take a snapshot.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from channels.db import database_sync_to_async
from websockets.asyncio.client import ClientConnection

from meetings.models import AgendaItem, Ballot
from tests.live import free_port, start_server, wait_until_healthy
from tests.meetings.helpers import add_participant
from tests.meetings.live.helpers import (
    SERVER_TIMEOUT,
    open_poll,
    server_next,
    server_post,
    server_socket,
)

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
db = database_sync_to_async


class PrivateRedis:
    """A redis-server of the test's own, with no persistence, that can be stopped and started."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is missing: bin/check-sysdeps installs it"
        self.binary, self.port = binary, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *(self.binary, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),  # nothing kept: a restart loses all
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + SERVER_TIMEOUT
        while True:
            try:
                client.ping()
                return
            except (redis.RedisError, OSError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=SERVER_TIMEOUT)
        self.process = None


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        if server.process is not None:
            server.stop()


@pytest.fixture
def servers_on_private_redis(transactional_db, private_redis) -> Iterator[list[str]]:
    ports = [free_port(), free_port()]
    processes = [start_server(port, {"REDIS_URL": private_redis.url}) for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, process in zip(urls, processes, strict=True):
            wait_until_healthy(url, process)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


def _cast(poll_id: int, option_id: int) -> str:
    payload = {"poll_id": poll_id, "option_ids": [option_id]}
    return json.dumps({"type": "ballot.cast", "seq": None, "payload": payload})


async def _resync(socket: ClientConnection, last_seq: int) -> dict[str, Any]:
    """What the page does: ping now and then; once the server is ahead, take a snapshot.

    The progress event the server could not publish is numbered when it is built (a quarter
    of a second after the ballot), and a ping answer may reuse the number for a second.
    """
    deadline = time.monotonic() + SERVER_TIMEOUT
    while True:
        await socket.send(json.dumps({"type": "ping", "seq": last_seq, "payload": {}}))
        pong = await server_next(socket, "pong")
        if pong["payload"]["seq"] > last_seq:
            break
        assert time.monotonic() < deadline, "the server never showed the missed event"
        await asyncio.sleep(0.2)  # the page's ping interval, shortened
    await socket.send(json.dumps({"type": "snapshot.get", "seq": last_seq, "payload": {}}))
    return await server_next(socket, "snapshot")


async def _until_events_cross(urls: list[str], room: Any, watcher: ClientConnection) -> None:
    """Move the item through server A until the watcher on server B hears it (pub/sub back)."""
    items = await db(lambda: list(AgendaItem.objects.filter(meeting=room.meeting)))()
    path = f"/hop/{room.meeting.pk}/truc-tiep/lenh/item/"
    deadline = time.monotonic() + 3 * SERVER_TIMEOUT
    for turn in range(1000):
        item = items[turn % len(items)]
        await db(server_post)(urls[0], room.chair, path, {"item_id": item.pk})
        try:
            async with asyncio.timeout(0.5):
                while True:
                    event = json.loads(await watcher.recv())
                    if event["type"] == "item.current" and event["payload"]["item_id"] == item.pk:
                        return
        except TimeoutError:
            assert time.monotonic() < deadline, "events never crossed processes after the restart"


def _poll_progress(snapshot: dict[str, Any], poll_id: int) -> dict[str, Any]:
    return next(p for p in snapshot["payload"]["polls"] if p["id"] == poll_id)["progress"]


async def test_redis_restart_loses_no_ballot_and_screens_resynchronise(
    room, private_redis, servers_on_private_redis
):
    url_a, url_b = servers_on_private_redis
    await db(AgendaItem.objects.create)(meeting=room.meeting, title="Báo cáo", position=1)
    an = await db(add_participant)(room.meeting, name="Trần Văn An")
    binh = await db(add_participant)(room.meeting, name="Phạm Thị Bình")
    poll = await db(open_poll)(room)
    yes = await db(lambda: poll.options.get(key="yes").pk)()
    on_a, first_a = await server_socket(url_a, an.user, room.meeting.pk)
    on_b, _ = await server_socket(url_b, binh.user, room.meeting.pk)
    assert _poll_progress(first_a, poll.pk)["cast"] == 0

    private_redis.stop()
    # Bình votes on server B while Redis is down: the ballot is stored and acknowledged; the
    # progress event cannot be published (logged by the server), so An's screen misses it.
    await on_b.send(_cast(poll.pk, yes))
    ack = await server_next(on_b, "ballot.ack")
    assert ack["payload"]["already_recorded"] is False
    private_redis.start()

    # An's page notices through its ping and catches up from a snapshot: the ballot is there.
    snapshot = await _resync(on_a, first_a["seq"])
    assert _poll_progress(snapshot, poll.pk)["cast"] == 1

    # Both servers' hubs resubscribe by themselves: events cross processes again.
    await _until_events_cross(servers_on_private_redis, room, on_b)
    await on_a.send(_cast(poll.pk, yes))
    assert (await server_next(on_a, "ballot.ack"))["payload"]["already_recorded"] is False
    close = f"/hop/{room.meeting.pk}/truc-tiep/lenh/poll-close/"
    closed = await db(server_post)(url_b, room.chair, close, {"poll_id": poll.pk})
    assert closed["ok"] is True
    for socket in (on_a, on_b):
        event = await server_next(socket, "poll.closed")
        assert event["payload"]["poll"]["progress"]["cast"] == 2
    assert await db(Ballot.objects.filter(poll=poll).count)() == 2
    await on_a.close()
    await on_b.close()
