"""A WebSocket endpoint that proves the ASGI server speaks WebSockets (used by probes)."""

from __future__ import annotations

import json

from channels.generic.websocket import AsyncWebsocketConsumer


class PingConsumer(AsyncWebsocketConsumer):
    """Answers ``{"type": "ping"}`` with ``{"type": "pong"}``; anything else is refused."""

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            message = json.loads(text_data or "")
        except json.JSONDecodeError:
            message = None
        if isinstance(message, dict) and message.get("type") == "ping":
            await self.send(json.dumps({"type": "pong", "payload": message.get("payload")}))
            return
        await self.send(json.dumps({"type": "error", "payload": "Tin nhắn không hợp lệ."}))
        await self.close(code=4400)
