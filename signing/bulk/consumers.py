"""The signer's progress socket: /ws/ky-so/tien-do/, one group per user.

Server → client: ``bulk.snapshot`` on connect and on request, then the job's numbered events
(``bulk.started``, ``bulk.progress``, ``bulk.finished``, ``bulk.failed``; see ``jobs``),
``pong`` and ``error``. Client → server: ``snapshot.get`` and ``ping`` only: starting a batch
is an HTTP POST (it carries the passphrase and the CSRF check), never a socket message.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

from kyhop.realtime import envelope
from signing.bulk.jobs import job_snapshot_text, progress_group, server_loop_remember

CLOSE_FORBIDDEN = 4403
CLOSE_BAD_MESSAGE = 4400
MAX_FRAME = 1024  # client messages are tiny


class SigningProgressConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        # Accept first so the refusal reaches the page as a close code it can explain.
        await self.accept()
        if user is None or not user.is_authenticated or not user.is_active:
            await self._reply("error", {"message": "Hãy đăng nhập để theo dõi tiến độ ký."})
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = progress_group(user.pk)
        self.user_id = user.pk
        server_loop_remember(asyncio.get_running_loop())
        # Join before the snapshot: an event sent in between is then seen twice (harmless,
        # same seq) rather than not at all.
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send(text_data=job_snapshot_text(self.user_id))

    async def disconnect(self, code: int) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not getattr(self, "group", None):
            return
        message = _parse(text_data)
        handler = self.handlers.get(message.get("type", "")) if message else None
        if message is None or handler is None:
            await self._reply("error", {"message": "Tin nhắn không hợp lệ."})
            await self.close(code=CLOSE_BAD_MESSAGE)
            return
        await handler(self, message)

    async def _snapshot(self, _message: dict[str, Any]) -> None:
        await self.send(text_data=job_snapshot_text(self.user_id))

    async def _ping(self, _message: dict[str, Any]) -> None:
        await self._reply("pong", {})

    handlers: dict[str, Callable[[Any, dict[str, Any]], Awaitable[None]]] = {
        "snapshot.get": _snapshot,
        "ping": _ping,
    }

    async def signing_progress(self, event: dict[str, Any]) -> None:
        """A job event from the channel layer, already serialised once for every socket."""
        await self.send(text_data=event["text"])

    async def _reply(self, kind: str, payload: dict[str, Any]) -> None:
        await self.send(text_data=envelope(kind, None, payload))


def _parse(text: str | None) -> dict[str, Any] | None:
    if not text or len(text) > MAX_FRAME:
        return None
    try:
        message = json.loads(text)
    except json.JSONDecodeError:
        return None
    return message if isinstance(message, dict) else None
