"""The per-process hub paces poll progress by what its fan-out costs."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from meetings.live.hub import EVENT, PROGRESS_INTERVAL, PROGRESS_LOAD, LiveHub


class _Screen:
    """A socket whose every send costs *seconds* of this process's time."""

    def __init__(self, seconds: float, staff: bool = False) -> None:
        self.seconds, self.is_staff, self.got = seconds, staff, 0

    def holding(self) -> bool:
        return False

    def hold(self, message: dict[str, Any]) -> None:  # pragma: no cover - never holding
        raise AssertionError

    async def push(self, message: dict[str, Any]) -> None:
        time.sleep(self.seconds)  # CPU-bound framing and writing, as at 2,000 sockets
        self.got += 1

    def too_slow(self) -> None:  # pragma: no cover - far under SLOW_SEND
        raise AssertionError


def _event(staff: bool = False) -> dict[str, Any]:
    return {"type": EVENT, "meeting": 7, "seq": None if staff else 1, "staff": staff, "text": "{}"}


async def test_a_quick_fan_out_keeps_the_base_interval():
    hub = LiveHub(asyncio.get_running_loop())
    hub.members[7] = {_Screen(0.0) for _ in range(3)}
    await hub.deliver(_event())
    assert hub.progress_delay() == PROGRESS_INTERVAL


async def test_a_slow_fan_out_stretches_the_progress_interval():
    hub = LiveHub(asyncio.get_running_loop())
    screens = [_Screen(0.01) for _ in range(12)]
    hub.members[7] = set(screens)
    await hub.deliver(_event())
    assert all(screen.got == 1 for screen in screens)
    assert hub.fanout_seconds >= 0.12
    assert hub.progress_delay() >= PROGRESS_LOAD * 0.12 > PROGRESS_INTERVAL
    # A staff-only event reaches a few screens: it says nothing about the room's fan-out.
    stretched = hub.progress_delay()
    hub.members[7] = {_Screen(0.0, staff=True)}
    await hub.deliver(_event(staff=True))
    assert hub.progress_delay() == stretched
