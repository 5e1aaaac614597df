"""Vote burst: N eligible voters connected; all cast within one second over their sockets
(every 10th twice, every 20th drops its socket right after casting, reconnects and casts
again); then the chair closes the poll.

    .venv/bin/python tests/bench/bench_vote_burst.py [--n 2000] [--modes memory,redis]

Reported: every ballot acknowledged, the tally on every screen equal to the ballots sent,
and close → result on every screen against one fan-out at that N (the chair moving the item
over HTTP, the same path as closing the poll, measured in the same run).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench._harness import django_ready, machine, private_environment
from tests.bench._live import (
    Arrivals,
    Fleet,
    Meeting,
    kyhop_server,
    make_meeting,
    post,
    stop,
)
from tests.bench.bench_fanout import redis_available

BURST_SECONDS = 1.0
ACK_TIMEOUT = 300.0
REFERENCE_MOVES = 5
KEYS = ("yes", "no", "abstain")


def draft_poll(meeting: Meeting) -> int:
    from meetings.models import AgendaItem, Participant
    from meetings.voting.ballots import poll_create

    chair = Participant.objects.get(meeting_id=meeting.meeting_id, role="chair").user
    item = AgendaItem.objects.get(pk=meeting.item_ids[0])
    return poll_create(actor=chair, item=item, title="Thông qua nghị quyết").pk


class Burst:
    """What each voter sent and got back."""

    def __init__(self, n: int) -> None:
        self.acks: list[int] = [0] * n
        self.acked = asyncio.Event()
        self.missing = n
        self.options: dict[str, int] = {}
        self.result: dict | None = None

    def on_ack(self, index: int) -> None:
        self.acks[index] += 1
        if self.acks[index] == 1:
            self.missing -= 1
            if self.missing == 0:
                self.acked.set()


async def run(n: int, mode: str, meeting: Meeting, poll_id: int) -> dict[str, Any]:
    process, base = kyhop_server(mode)
    ws_url = base.replace("http://", "ws://") + f"/ws/hop/{meeting.meeting_id}/"
    command = f"/hop/{meeting.meeting_id}/truc-tiep/lenh/"
    burst = Burst(n)
    moves = Arrivals(n)
    closed = Arrivals(n)
    opened = Arrivals(n)

    def on_message(index: int, data: dict, at: float) -> None:
        kind = data["type"]
        if kind == "ballot.ack":
            burst.on_ack(index)
        elif kind == "item.current":
            moves.record(data["payload"]["item_id"], at)
        elif kind == "poll.opened":
            opened.record("opened", at)
            burst.options = {o["key"]: o["id"] for o in data["payload"]["poll"]["options"]}
        elif kind == "poll.closed":
            closed.record("closed", at)
            burst.result = data["payload"]["poll"]["result"]

    fleet = Fleet(on_message)
    try:
        await fleet.open(ws_url, meeting.cookies, base)
        # One fan-out at this N, through the same HTTP path as the close.
        reference = []
        for k in range(REFERENCE_MOVES + 1):
            item = meeting.item_ids[1 + k]
            moves.expect(item)
            t0 = time.perf_counter()
            await asyncio.to_thread(
                post, base, meeting.chair_cookie, command + "item/", {"item_id": item}
            )
            latency, _ = await moves.wait(item, t0)
            if k:
                reference.append(latency)
        opened.expect("opened")
        t0 = time.perf_counter()
        await asyncio.to_thread(
            post, base, meeting.chair_cookie, command + "poll-open/", {"poll_id": poll_id}
        )
        open_latency, open_lost = await opened.wait("opened", t0)
        t_burst = time.perf_counter()
        await cast_all(fleet, burst, poll_id, n, ws_url, meeting, base)
        with contextlib.suppress(TimeoutError):  # reported as "acked k/n", not raised
            await asyncio.wait_for(burst.acked.wait(), ACK_TIMEOUT)
        ack_seconds = time.perf_counter() - t_burst
        closed.expect("closed")
        t0 = time.perf_counter()
        await asyncio.to_thread(
            post, base, meeting.chair_cookie, command + "poll-close/", {"poll_id": poll_id}
        )
        close_latency, close_lost = await closed.wait("closed", t0)
    finally:
        await fleet.close()
        stop(process)
    expected = Counter(KEYS[i % 3] for i in range(n))
    counted = {o["key"]: o["count"] for o in (burst.result or {}).get("options", [])}
    return {
        "n": n,
        "mode": mode,
        "acked": n - burst.missing,
        "double_acks": sum(1 for a in burst.acks if a > 1),
        "ack_seconds": ack_seconds,
        "tally_exact": burst.result is not None
        and bool(burst.result)
        and counted == dict(expected)
        and burst.result["cast"] == n,
        "counted": counted,
        "open_ms": open_latency * 1000,
        "open_lost": open_lost,
        "fanout_ms": statistics.median(reference) * 1000,
        "close_ms": close_latency * 1000,
        "close_lost": close_lost,
    }


async def cast_all(
    fleet: Fleet, burst: Burst, poll_id: int, n: int, ws_url: str, meeting: Meeting, base: str
) -> None:
    """Spread the n ballots evenly over one second; some twice, some across a reconnect."""
    start = time.perf_counter()
    reconnects = []
    for index in range(n):
        delay = start + BURST_SECONDS * index / n - time.perf_counter()
        if delay > 0.002:
            await asyncio.sleep(delay)
        ballot = json.dumps(
            {
                "type": "ballot.cast",
                "seq": None,
                "payload": {"poll_id": poll_id, "option_ids": [burst.options[KEYS[index % 3]]]},
            }
        )
        socket = fleet.socket(index)
        await socket.send(ballot)
        if index % 10 == 0:
            await socket.send(ballot)  # a double tap
        if index % 20 == 1:
            reconnects.append(
                asyncio.create_task(recast(fleet, index, ballot, ws_url, meeting, base))
            )
    await asyncio.gather(*reconnects)


async def recast(
    fleet: Fleet, index: int, ballot: str, ws_url: str, meeting: Meeting, base: str
) -> None:
    """The tablet drops off right after sending, comes back, and sends the ballot again."""
    await fleet.socket(index).close()
    await fleet.reopen(index, ws_url, meeting.cookies[index], base)
    await fleet.socket(index).send(ballot)


def report(r: dict[str, Any]) -> str:
    ratio = r["close_ms"] / r["fanout_ms"]
    label = "in-memory, 1 process" if r["mode"] == "memory" else "Redis, 2 processes"
    return (
        f"| {r['n']:>5} | {label:<21} | {r['acked']}/{r['n']} | {r['double_acks']:>6} | "
        f"{r['ack_seconds']:7.1f} | {'yes' if r['tally_exact'] else 'NO ' + str(r['counted'])} | "
        f"{r['open_ms']:7.1f} | {r['fanout_ms']:8.1f} | {r['close_ms']:8.1f} | {ratio:5.2f}× | "
        f"{r['open_lost'] + r['close_lost']:>4} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--modes", default="memory,redis")
    args = parser.parse_args()
    private_environment()
    django_ready()
    modes = [m for m in args.modes.split(",") if m]
    if "redis" in modes and not redis_available():
        print("Redis không truy cập được: bỏ qua chế độ redis.")
        modes.remove("redis")
    print(f"Vote burst · {time.strftime('%Y-%m-%d %H:%M')} · {machine()}")
    print(f"{args.n} voters cast within {BURST_SECONDS:.0f} s (every 10th twice, every 20th across")
    print("a reconnect); times in ms unless marked s.\n")
    print(
        "|     N | server                | acked     | 2 acks | acks s  | tally exact | "
        "open ms | fan-out ms | close ms | close/fan-out | lost |"
    )
    print("|------:|---|---|---:|---:|---|---:|---:|---:|---:|---:|")
    failed = False
    for mode in modes:
        meeting = make_meeting(args.n)  # the ORM is synchronous: before the event loop
        result = asyncio.run(run(args.n, mode, meeting, draft_poll(meeting)))
        print(report(result), flush=True)
        failed = failed or not result["tally_exact"] or result["acked"] != args.n
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
