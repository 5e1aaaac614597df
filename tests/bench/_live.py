"""Shared parts of the live benchmarks: a meeting of N logged-in attendees, the chair's HTTP
commands, a fleet of WebSocket clients in this process, and the bare `websockets` baseline.

Both the baseline and KyHop are measured by the same client code in the same run, so the
client's own cost (parsing N frames in one Python process) is the same on both sides.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

from tests.bench._harness import ROOT, free_port, start_server

CONNECT_CONCURRENCY = 64
EVENT_TIMEOUT = 30.0
REDIS_URL = os.environ.get("KYHOP_BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")


# --- Data ------------------------------------------------------------------------------------


@dataclass
class Meeting:
    meeting_id: int
    chair_cookie: str
    cookies: list[str]
    item_ids: list[int]
    user_ids: list[int] = field(default_factory=list)


def _session(user: Any) -> Any:
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    data = SessionStore().encode(
        {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
            "_auth_user_hash": user.get_session_auth_hash(),
        }
    )
    key = secrets.token_hex(16)
    return Session(session_key=key, session_data=data, expire_date=timezone.now() + timedelta(1))


def make_meeting(n: int, items: int = 21) -> Meeting:
    """A body of n + 1 members, all present; the chair; n officials; *items* agenda items."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from accounts.models import Body, Membership, User
    from meetings.models import AgendaItem, LiveState, Participant
    from meetings.models import Meeting as MeetingModel

    tag = secrets.token_hex(3)
    body = Body.objects.create(
        code=f"bench-{tag}", name="Hội đồng nhân dân tỉnh", symbol="HĐND", total_members=n + 1
    )
    users = User.objects.bulk_create(
        User(username=f"b{tag}-{i}", full_name=f"Đại Biểu {i:04d}", password="!")
        for i in range(n + 1)
    )
    Membership.objects.bulk_create(
        Membership(user=u, body=body, role="chair" if i == 0 else "member")
        for i, u in enumerate(users)
    )
    now = timezone.now()
    meeting = MeetingModel.objects.create(
        body=body,
        title="Kỳ họp thứ 10",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=4),
        place="Hội trường",
        status="in_progress",
        created_by=users[0],
    )
    Participant.objects.bulk_create(
        Participant(
            meeting=meeting,
            user=u,
            role="chair" if i == 0 else "voting",
            checked_in_at=now,
            attendance_mode="in_person",
        )
        for i, u in enumerate(users)
    )
    agenda = AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, title=f"Nội dung {k + 1}", position=k, planned_minutes=10)
        for k in range(items)
    )
    LiveState.objects.create(meeting=meeting, current_item=agenda[0])
    sessions = Session.objects.bulk_create(_session(u) for u in users)
    return Meeting(
        meeting_id=meeting.pk,
        chair_cookie=sessions[0].session_key,
        cookies=[s.session_key for s in sessions[1:]],
        item_ids=[a.pk for a in agenda],
        user_ids=[u.pk for u in users[1:]],
    )


def post(base_url: str, cookie: str, path: str, data: dict[str, Any]) -> dict[str, Any]:
    """The chair's console POST (CSRF: the same random token as cookie and header)."""
    token = secrets.token_hex(16)
    request = urllib.request.Request(
        base_url + path,
        data=urllib.parse.urlencode(data, doseq=True).encode(),
        headers={"Cookie": f"sessionid={cookie}; csrftoken={token}", "X-CSRFToken": token},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    if not answer.get("ok"):
        raise RuntimeError(f"{path}: {answer}")
    return answer


# --- Servers -------------------------------------------------------------------------------


def kyhop_server(mode: str) -> tuple[subprocess.Popen, str]:
    """One uvicorn process (in-memory layer) or two workers sharing Redis pub/sub."""
    os.environ.pop("REDIS_URL", None)
    workers = 1
    if mode == "redis":
        os.environ["REDIS_URL"] = REDIS_URL
        os.environ["KYHOP_CHANNEL_PREFIX"] = f"kyhop-bench-{secrets.token_hex(4)}"
        workers = 2
    port = free_port()
    process = start_server(port, workers=workers)
    os.environ.pop("REDIS_URL", None)
    return process, f"http://127.0.0.1:{port}"


def baseline_server(compression: str = "none") -> tuple[subprocess.Popen, str]:
    """*compression*: "none" (like KyHop as deployed) or "deflate" (websockets' default)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests/bench/_baseline_server.py"), str(port), compression],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
        except urllib.error.HTTPError:
            break  # it answers (426 Upgrade Required): the server is up
        except OSError:
            time.sleep(0.1)
    return process, f"http://127.0.0.1:{port}"


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


# --- The client fleet ----------------------------------------------------------------------


Handler = Callable[[int, dict[str, Any], float], None]


class Fleet:
    """N sockets in this process; every message goes to ``on_message(index, data, time)``."""

    def __init__(self, on_message: Handler) -> None:
        self.on_message = on_message
        self.sockets: list[ClientConnection | None] = []
        self.tasks: list[asyncio.Task[None]] = []

    def socket(self, index: int) -> ClientConnection:
        socket = self.sockets[index]
        assert socket is not None, f"socket {index} is not open"
        return socket

    async def open(self, ws_url: str, cookies: Sequence[str | None], origin: str) -> None:
        self.sockets = [None] * len(cookies)
        self.tasks = [None] * len(cookies)  # type: ignore[list-item]
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one(index: int) -> None:
            async with gate:
                await self.reopen(index, ws_url, cookies[index], origin)

        await asyncio.gather(*(one(i) for i in range(len(cookies))))

    async def reopen(self, index: int, ws_url: str, cookie: str | None, origin: str) -> None:
        headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
        socket = await connect(
            ws_url,
            additional_headers=headers,
            origin=Origin(origin),
            ping_interval=None,
            max_queue=None,
            open_timeout=120,
        )
        self.sockets[index] = socket
        self.tasks[index] = asyncio.get_running_loop().create_task(self._read(index, socket))

    async def _read(self, index: int, socket: ClientConnection) -> None:
        try:
            async for raw in socket:
                self.on_message(index, json.loads(raw), time.perf_counter())
        except Exception:  # noqa: S110 - a socket closed under us ends its reader
            pass

    async def close(self) -> None:
        await asyncio.gather(
            *(s.close() for s in self.sockets if s is not None), return_exceptions=True
        )


class Arrivals:
    """When each client first saw an event, keyed by a label the benchmark chooses."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.times: dict[Any, list[float]] = {}
        self.done: dict[Any, asyncio.Event] = {}

    def expect(self, key: Any) -> asyncio.Event:
        self.times[key] = []
        self.done[key] = asyncio.Event()
        return self.done[key]

    def record(self, key: Any, at: float) -> None:
        times = self.times.get(key)
        if times is None:
            return
        times.append(at)
        if len(times) == self.n:
            self.done[key].set()

    async def wait(self, key: Any, t0: float) -> tuple[float, int]:
        """(seconds until the last client had it, how many never did)."""
        with contextlib.suppress(TimeoutError):  # a lost event is reported, not raised
            await asyncio.wait_for(self.done[key].wait(), EVENT_TIMEOUT)
        times = self.times[key]
        lost = self.n - len(times)
        return (max(times) - t0 if times else float("nan")), lost
