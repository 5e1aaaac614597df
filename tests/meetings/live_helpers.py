"""Helpers for live meeting tests: sockets logged in as a user, waiting for named events."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.test import Client

from kyhop.asgi import application

ORIGIN = "http://127.0.0.1"
TIMEOUT = 5.0


def session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def reset_channel_layers() -> None:
    """The in-memory layer keeps queues bound to an event loop; each test runs a new loop."""
    channel_layers.backends.clear()


async def open_socket(
    user: Any, meeting_id: int, *, origin: str = ORIGIN
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
