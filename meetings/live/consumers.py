"""The live meeting socket: /ws/hop/<meeting_id>/, one per attendee.

Server → client: ``snapshot`` on connect and on request, then numbered events (see
``services``), ``pong``, ``ballot.ack`` and ``error`` to this socket only.
Client → server: ``snapshot.get``, ``ping``, ``ballot.cast``, ``speaker.request``,
``speaker.withdraw``, ``presenter.page`` and ``item.set`` (the last two for the chair's side).
Anything else is refused with an error event; a socket that floods is closed with 4429.
Replies to one socket (``error``, ``ballot.ack``) are in that socket's language, chosen once at
connect as LocaleMiddleware chooses a page's; events for everyone stay language-neutral.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from kyhop.realtime import envelope
from meetings.live import presenter, services, speakers
from meetings.live.hub import LiveHub, process_hub
from meetings.live.selectors import LiveAccess, live_access, snapshot
from meetings.models import Meeting

logger = logging.getLogger(__name__)

CLOSE_FORBIDDEN = 4403
CLOSE_FLOOD = 4429
CLOSE_TOO_SLOW = 4408
MAX_FRAME = 4096  # client messages are tiny; anything larger is not ours
BUCKET_SIZE = 20  # a burst a person can make by tapping
BUCKET_RATE = 5.0  # tokens per second, sustained
# Events held for a socket while its snapshot is read; a snapshot makes older ones redundant,
# so past this many the rest are dropped (the client sees a gap and asks again).
BACKLOG_LIMIT = 500


class Refused(Exception):
    """A client message that is not acceptable; its text goes back as an error event."""


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Refused(gettext("Trường %(field)s phải là số nguyên.") % {"field": name})
    return value


def _language_of(scope: dict[str, Any]) -> str:
    """The language cookie, then Accept-Language, then the default: what LocaleMiddleware picks
    for the page (Channels runs no Django middleware; CookieMiddleware parsed the cookies)."""
    headers = dict(scope.get("headers") or [])
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    request = HttpRequest()
    request.COOKIES = scope.get("cookies") or {}
    request.META = {"HTTP_ACCEPT_LANGUAGE": accept}
    return translation.get_language_from_request(request)


class TokenBucket:
    def __init__(self, size: int = BUCKET_SIZE, rate: float = BUCKET_RATE) -> None:
        self.size, self.rate = size, rate
        self.tokens = float(size)
        self.at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.size, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class HopConsumer(AsyncWebsocketConsumer):
    # No per-socket channel: the process's hub is the only channel-layer member (see hub.py).
    channel_layer_alias = "__kyhop_no_layer__"
    is_staff = False
    language = settings.LANGUAGE_CODE

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale DB connections before every frame (a thread hop each time);
        # every database call here goes through database_sync_to_async, which does it anyway.
        handler = getattr(self, message["type"].replace(".", "_"), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # --- connection ---------------------------------------------------------------------

    async def connect(self) -> None:
        self.language = _language_of(self.scope)
        self.meeting_id = int(self.scope["url_route"]["kwargs"]["meeting_id"])
        self.access: LiveAccess | None = await database_sync_to_async(live_access)(
            self.scope.get("user"), self.meeting_id
        )
        self.bucket = TokenBucket()
        # Events that arrive before this socket's snapshot is out wait here (None: not held).
        self._held: deque[dict[str, Any]] | None = deque()
        # Channels' session wrapper inspects the session on every outgoing frame (to save it
        # with HTTP responses); live events never touch the session, and skipping the wrapper
        # made the fan-out loop about a third faster. Falls back to the wrapped send.
        send: Callable[[dict[str, Any]], Awaitable[None]] = self.base_send
        wrapper = getattr(send, "__self__", None)
        self._raw_send = getattr(wrapper, "real_send", send)
        self.hub: LiveHub | None = None
        # Accept first so the refusal reaches the page as a close code it can explain.
        await self.accept()
        if self.access is None:
            with translation.override(self.language):
                message = gettext(_FORBIDDEN)
            await self._reply("error", {"code": "forbidden", "message": message})
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.is_staff = self.access.is_staff
        self.hub = process_hub()
        await self.hub.join(self.meeting_id, self)
        await self._send_snapshot()

    async def disconnect(self, code: int) -> None:
        if self.hub is not None:
            await self.hub.leave(self.meeting_id, self)
            self.hub = None

    # --- outgoing: the hub's side ------------------------------------------------------

    def holding(self) -> bool:
        return self._held is not None

    def hold(self, message: dict[str, Any]) -> None:
        assert self._held is not None
        if len(self._held) < BACKLOG_LIMIT:
            self._held.append(message)

    async def push(self, message: dict[str, Any]) -> None:
        try:
            await self._raw_send(message)
        except OSError as exc:  # uvicorn's ClientDisconnected: the socket is going away
            logger.debug("live send to a closing socket: %s", exc)

    def too_slow(self) -> None:
        """Stop holding up the fan-out: close; the page reconnects and takes a snapshot."""
        if self.hub is not None:
            self.hub.members.get(self.meeting_id, set()).discard(self)
        asyncio.get_running_loop().create_task(self.close(code=CLOSE_TOO_SLOW))

    async def _send_snapshot(self) -> None:
        """Hold events, send the snapshot, then what arrived meanwhile (client drops <= seq)."""
        if self._held is None:
            self._held = deque()
        assert self.access is not None
        with translation.override(self.language):  # its label table is in the socket's language
            data = await database_sync_to_async(snapshot)(self.meeting_id, self.access)
        await self.send(envelope("snapshot", data["seq"], data["state"]))
        while self._held:
            await self.push(self._held.popleft())
        self._held = None

    async def _reply(self, kind: str, payload: dict[str, Any]) -> None:
        await self.send(envelope(kind, None, payload))

    # --- incoming -----------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.access is None:
            return
        # Messages built while handling this frame, here and in the services the database
        # thread runs (it inherits this context), are in the socket's language.
        with translation.override(self.language):
            await self._receive(text_data)

    async def _receive(self, text_data: str | None) -> None:
        if not self.bucket.take():
            self.access = None  # ignore whatever else is already on the wire
            await self._reply("error", {"code": "flood", "message": gettext(_FLOOD)})
            await self.close(code=CLOSE_FLOOD)
            return
        ref = None
        try:
            kind, payload, ref = self._parse(text_data)
            await self.HANDLERS[kind](self, payload, ref)
        except Refused as exc:
            await self._reply("error", {"code": "invalid", "message": str(exc), "ref": ref})
        except ValidationError as exc:
            message = " ".join(exc.messages)
            await self._reply("error", {"code": "refused", "message": message, "ref": ref})

    def _parse(self, text: str | None) -> tuple[str, dict[str, Any], str | None]:
        if text is None or len(text) > MAX_FRAME:
            raise Refused(gettext("Tin nhắn không hợp lệ."))
        try:
            message = json.loads(text)
        except json.JSONDecodeError:
            raise Refused(gettext("Tin nhắn không phải JSON hợp lệ.")) from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise Refused(gettext("Tin nhắn phải có dạng {type, seq, payload}."))
        payload = message.get("payload", {})
        if not isinstance(payload, dict):
            raise Refused(gettext("Trường payload phải là một đối tượng."))
        ref = payload.get("ref")
        if ref is not None and (not isinstance(ref, str) or len(ref) > 64):
            raise Refused(gettext("Trường ref không hợp lệ."))
        if message["type"] not in self.HANDLERS:
            raise Refused(
                gettext("Loại tin nhắn không được hỗ trợ: %(type)s")
                % {"type": message["type"][:40]}
            )
        return message["type"], payload, ref

    # --- handlers (the dispatch table is at the end of the class) ------------------------

    async def on_snapshot(self, payload: dict[str, Any], ref: str | None) -> None:
        await self._send_snapshot()

    async def on_ping(self, payload: dict[str, Any], ref: str | None) -> None:
        # The client compares this with its own number: after a Redis restart lost an event,
        # this is how it learns to take a snapshot.
        assert self.hub is not None
        await self._reply("pong", {"seq": await self.hub.seq_of(self.meeting_id), "ref": ref})

    async def on_ballot(self, payload: dict[str, Any], ref: str | None) -> None:
        poll_id = _int(payload.get("poll_id"), "poll_id")
        option_ids = payload.get("option_ids")
        if not isinstance(option_ids, list) or len(option_ids) > 50:
            raise Refused(gettext("Trường option_ids phải là danh sách."))
        ack = await self._call(
            services.live_ballot_cast,
            poll_id=poll_id,
            option_ids=[_int(o, "option_ids") for o in option_ids],
        )
        await self._reply(
            "ballot.ack",
            {
                "poll_id": ack.poll_id,
                "already_recorded": ack.already_recorded,
                "message": ack.message,
                "ref": ref,
            },
        )

    async def on_speaker_request(self, payload: dict[str, Any], ref: str | None) -> None:
        kind = payload.get("kind", "speech")
        if not isinstance(kind, str):
            raise Refused(gettext("Loại đăng ký không hợp lệ."))
        request = await self._call(speakers.speaker_request, kind=kind)
        await self._reply("speaker.ack", {"request_id": request.pk, "ref": ref})

    async def on_speaker_withdraw(self, payload: dict[str, Any], ref: str | None) -> None:
        request_id = _int(payload.get("request_id"), "request_id")
        await self._call(speakers.speaker_withdraw, request_id=request_id)
        await self._reply("speaker.ack", {"request_id": request_id, "ref": ref})

    async def on_presenter_page(self, payload: dict[str, Any], ref: str | None) -> None:
        # Over the socket because page turns are the one chair action where latency shows.
        page = _int(payload.get("page"), "page")
        await self._call(presenter.presenter_page, page=page)

    async def on_item_set(self, payload: dict[str, Any], ref: str | None) -> None:
        # The chair's "next item" also has an HTTP endpoint; over the socket it skips a request,
        # a session lookup and the access check: the move every screen waits for.
        item_id = _int(payload.get("item_id"), "item_id")
        await self._call(services.item_set_current, item_id=item_id)

    async def _call(self, service: Callable[..., Any], **kwargs: Any) -> Any:
        """Run a service as the connected user, with this meeting, in the database thread."""
        user, meeting_id = self.scope["user"], self.meeting_id

        def run() -> Any:
            return service(actor=user, meeting=Meeting.objects.get(pk=meeting_id), **kwargs)

        return await database_sync_to_async(run)()

    HANDLERS: dict[str, Callable[[HopConsumer, dict[str, Any], str | None], Awaitable[None]]] = {
        "snapshot.get": on_snapshot,
        "ping": on_ping,
        "ballot.cast": on_ballot,
        "speaker.request": on_speaker_request,
        "speaker.withdraw": on_speaker_withdraw,
        "presenter.page": on_presenter_page,
        "item.set": on_item_set,
    }


# Translated when sent, in the socket's language.
_FORBIDDEN = gettext_noop("Bạn không có quyền tham gia phiên họp này.")
_FLOOD = gettext_noop("Bạn gửi quá nhiều yêu cầu trong thời gian ngắn; kết nối đã bị đóng.")
