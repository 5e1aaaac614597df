"""Two real server processes sharing one meeting through Redis (channels-redis pub/sub).

Runs whenever Redis answers (``KYHOP_TEST_REDIS_URL``, else ``REDIS_URL``, else the local
default database 2); skipped with the reason otherwise. The servers use the test database:
SQLite in WAL mode or PostgreSQL, whichever the suite runs on.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from collections.abc import Iterator

import pytest
import redis
from channels.db import database_sync_to_async

from meetings.models import AgendaItem, Ballot
from tests.live import free_port, start_server, wait_until_healthy
from tests.meetings.helpers import add_participant
from tests.meetings.live.helpers import open_poll, server_next, server_post, server_socket

REDIS_URL = (
    os.environ.get("KYHOP_TEST_REDIS_URL")
    or os.environ.get("REDIS_URL")
    or "redis://127.0.0.1:6379/2"
)


def _redis_reachable() -> str | None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except (redis.RedisError, OSError) as exc:
        return (
            f"Redis không truy cập được tại {REDIS_URL} ({exc}); bỏ qua kiểm thử nhiều tiến trình."
        )
    return None


_unreachable = _redis_reachable()
pytestmark = [
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(_unreachable is not None, reason=_unreachable or ""),
]


@pytest.fixture
def two_servers(transactional_db) -> Iterator[list[str]]:
    """Two uvicorn processes on the test database, one Redis channel prefix of their own."""
    env = {"REDIS_URL": REDIS_URL, "KYHOP_CHANNEL_PREFIX": f"kyhop-test-{secrets.token_hex(4)}"}
    ports = [free_port(), free_port()]
    processes = [start_server(port, env) for port in ports]
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


async def test_an_event_from_one_process_reaches_clients_of_the_other(room, two_servers):
    second = await database_sync_to_async(AgendaItem.objects.create)(
        meeting=room.meeting, title="Báo cáo kinh tế - xã hội", position=1
    )
    official = await database_sync_to_async(add_participant)(room.meeting, name="Đại Biểu B")
    on_a, first_a = await server_socket(two_servers[0], room.chair, room.meeting.pk)
    on_b, first_b = await server_socket(two_servers[1], official.user, room.meeting.pk)
    path = f"/hop/{room.meeting.pk}/truc-tiep/lenh/item/"
    answer = await database_sync_to_async(server_post)(
        two_servers[0], room.chair, path, {"item_id": second.pk}
    )
    assert answer == {"ok": True}
    for socket, first in ((on_b, first_b), (on_a, first_a)):
        event = await server_next(socket, "item.current")
        assert event["payload"]["item_id"] == second.pk
        assert event["seq"] == first["seq"] + 1
    await on_a.close()
    await on_b.close()


async def test_a_ballot_cast_through_both_processes_is_counted_once(room, two_servers):
    voter = await database_sync_to_async(add_participant)(room.meeting, name="Cử Tri Hai Máy")
    poll = await database_sync_to_async(open_poll)(room)
    yes = await database_sync_to_async(lambda: poll.options.get(key="yes").pk)()
    sockets = [(await server_socket(url, voter.user, room.meeting.pk))[0] for url in two_servers]
    watcher, _ = await server_socket(two_servers[1], room.chair, room.meeting.pk)
    cast = {
        "type": "ballot.cast",
        "seq": None,
        "payload": {"poll_id": poll.pk, "option_ids": [yes]},
    }
    # The same voter, at once, through both processes (a double tap on two tablets).
    await asyncio.gather(*(socket.send(json.dumps(cast)) for socket in sockets))
    acks = [await server_next(socket, "ballot.ack") for socket in sockets]
    assert sorted(ack["payload"]["already_recorded"] for ack in acks) == [False, True]
    progress = await server_next(watcher, "poll.progress")
    assert progress["payload"]["cast"] == 1
    count = await database_sync_to_async(Ballot.objects.filter(poll=poll).count)()
    assert count == 1
    for socket in [*sockets, watcher]:
        await socket.close()
