"""Helpers for live meeting tests: sockets logged in as a user (in process, or to a real server
process), waiting for named events, a poll opened by the chair."""

from __future__ import annotations

import asyncio
import json
import secrets
import urllib.parse
import urllib.request
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.test import Client
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

from accounts.models import User
from kyhop.asgi import application
from meetings.live import services as live_services
from meetings.models import Poll, PollKind

ORIGIN = "http://127.0.0.1"
TIMEOUT = 5.0
SERVER_TIMEOUT = 10.0  # real processes on a shared machine answer more slowly


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def reset_channel_layers() -> None:
    """The in-memory layer keeps queues bound to an event loop; each test runs a new loop."""
    channel_layers.backends.clear()


async def open_socket(
    user: User, meeting_id: int, *, origin: str = ORIGIN
) -> tuple[WebsocketCommunicator, dict[str, Any] | None]:
    """Connect as *user*; returns the communicator and the first message (the snapshot)."""
    headers = [(b"origin", origin.encode())]
    if user is not None:
        cookie = await database_sync_to_async(session_cookie)(user)
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    socket = WebsocketCommunicator(application, f"/ws/hop/{meeting_id}/", headers=headers)
    connected, _ = await socket.connect(timeout=TIMEOUT)
    if not connected:
        return socket, None
    return socket, await socket.receive_json_from(timeout=TIMEOUT)


async def next_of(
    socket: WebsocketCommunicator, kind: str, *, timeout: float = TIMEOUT
) -> dict[str, Any]:
    """The next message of *kind*, skipping others; fails after *timeout* seconds."""
    async with asyncio.timeout(timeout):
        while True:
            message = await socket.receive_json_from(timeout=timeout)
            if message["type"] == kind:
                return message


async def send(socket: WebsocketCommunicator, message_type: str, /, **payload: Any) -> None:
    await socket.send_to(
        text_data=json.dumps({"type": message_type, "seq": None, "payload": payload})
    )


# --- Real server processes (scale-out and Redis restart tests) ---------------------------


async def server_socket(
    base_url: str, user: User, meeting_id: int
) -> tuple[ClientConnection, dict]:
    """A real WebSocket to a server process, logged in as *user*; returns it and the snapshot."""
    cookie = await database_sync_to_async(session_cookie)(user)
    ws_url = base_url.replace("http://", "ws://") + f"/ws/hop/{meeting_id}/"
    socket = await connect(
        ws_url,
        additional_headers={"Cookie": f"sessionid={cookie}"},
        origin=Origin(base_url),
        open_timeout=SERVER_TIMEOUT,
    )
    return socket, await server_next(socket, "snapshot")


async def server_next(socket: ClientConnection, kind: str) -> dict[str, Any]:
    async with asyncio.timeout(SERVER_TIMEOUT):
        while True:
            message = json.loads(await socket.recv())
            if message["type"] == kind:
                return message


def server_post(base_url: str, user: User, path: str, data: dict[str, Any]) -> dict[str, Any]:
    """To a real server process: a logged-in form POST with a CSRF token of our own making
    (cookie and header agree)."""
    token = secrets.token_hex(16)
    request = urllib.request.Request(
        base_url + path,
        data=urllib.parse.urlencode(data).encode(),
        headers={
            "Cookie": f"sessionid={session_cookie(user)}; csrftoken={token}",
            "X-CSRFToken": token,
        },
    )
    with urllib.request.urlopen(request, timeout=SERVER_TIMEOUT) as response:
        return json.loads(response.read())


def open_poll(room: Any) -> Poll:
    """The chair makes the room's item current and opens a named yes/no poll on it."""
    live_services.item_set_current(actor=room.chair, meeting=room.meeting, item_id=room.item.pk)
    poll = live_services.live_poll_create(
        actor=room.chair,
        meeting=room.meeting,
        item_id=room.item.pk,
        title="Thông qua kế hoạch",
        kind=PollKind.YES_NO_ABSTAIN,
        secret=False,
    )
    return live_services.live_poll_open(
        actor=room.chair, meeting=room.meeting, poll_id=poll.pk, override_reason="Kiểm thử"
    )
