"""Live fan-out: N clients in one meeting; the chair moves the current item 20 times; the time
until the LAST client has each event (median), against a bare `websockets` broadcast server
measured by the same client code in the same run, both without per-message deflate (KyHop's
deployed setting: compressing small frames once per socket was most of a fan-out's cost).

    .venv/bin/python tests/bench/bench_fanout.py [--n 1000,2000] [--modes memory,redis]

KyHop's chair acts as in the product, timed from just before the order leaves the chair: over
its socket (``item.set``) or as an HTTP POST to the console endpoint; either way a database
transaction, then the event after commit.
"memory": one uvicorn process with the in-memory channel layer; "redis": two uvicorn workers
sharing Redis pub/sub (connections spread between them by the kernel).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench._harness import django_ready, machine, private_environment
from tests.bench._live import (
    REDIS_URL,
    Arrivals,
    Fleet,
    Meeting,
    baseline_server,
    kyhop_server,
    make_meeting,
    post,
    stop,
)

WARM_UP = 2


def _payload(k: int) -> dict[str, object]:
    """What KyHop's "item.current" carries, so both servers send frames of the same size."""
    return {
        "item_id": k,
        "timer": {"running": False, "started_at": None, "elapsed": 0, "limit": 600},
        "speakers": {"item_id": k, "limit": 300, "queue": []},
    }


async def run_baseline(n: int, moves: int, compression: str) -> tuple[list[float], int]:
    process, base = baseline_server(compression)
    ws_url = base.replace("http://", "ws://") + "/"
    arrivals = Arrivals(n)

    def on_message(index: int, data: dict, at: float) -> None:
        arrivals.record(data["payload"]["item_id"], at)

    fleet = Fleet(on_message)
    chair = Fleet(lambda *_: None)
    try:
        await fleet.open(ws_url, [None] * n, base)
        await chair.open(ws_url, [None], base)
        samples, lost = [], 0
        for k in range(WARM_UP + moves):
            arrivals.expect(k)
            t0 = time.perf_counter()
            await chair.socket(0).send(json.dumps({"seq": k, "payload": _payload(k)}))
            latency, missing = await arrivals.wait(k, t0)
            if k >= WARM_UP:
                samples.append(latency)
                lost += missing
        return samples, lost
    finally:
        await fleet.close()
        await chair.close()
        stop(process)


async def run_kyhop(
    n: int, mode: str, meeting: Meeting, moves: int, via: str
) -> tuple[list[float], int]:
    """*via*: "socket" (the chair's console sends ``item.set`` on its socket) or "http"."""
    process, base = kyhop_server(mode)
    ws_url = base.replace("http://", "ws://") + f"/ws/hop/{meeting.meeting_id}/"
    path = f"/hop/{meeting.meeting_id}/truc-tiep/lenh/item/"
    arrivals = Arrivals(n)

    def on_message(index: int, data: dict, at: float) -> None:
        if data["type"] == "item.current":
            arrivals.record(data["payload"]["item_id"], at)

    fleet = Fleet(on_message)
    chair = Fleet(lambda *_: None)
    try:
        await fleet.open(ws_url, meeting.cookies, base)
        await chair.open(ws_url, [meeting.chair_cookie], base)
        targets = meeting.item_ids[1:] + meeting.item_ids[:1]
        samples, lost = [], 0
        for k in range(WARM_UP + moves):
            item = targets[k % len(targets)]
            arrivals.expect(item)
            t0 = time.perf_counter()
            if via == "socket":
                order = {"type": "item.set", "seq": None, "payload": {"item_id": item}}
                await chair.socket(0).send(json.dumps(order))
            else:
                await asyncio.to_thread(post, base, meeting.chair_cookie, path, {"item_id": item})
            latency, missing = await arrivals.wait(item, t0)
            if k >= WARM_UP:
                samples.append(latency)
                lost += missing
        return samples, lost
    finally:
        await fleet.close()
        await chair.close()
        stop(process)


def redis_available() -> bool:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except (redis.RedisError, OSError):
        return False
    return True


def row(n: int, label: str, samples: list[float], lost: int, baseline: float | None) -> str:
    median = statistics.median(samples) * 1000
    ratio = f"{median / baseline:.2f}×" if baseline else "1.00×"
    return (
        f"| {n:>5} | {label:<36} | {median:9.1f} | {min(samples) * 1000:7.1f} | "
        f"{max(samples) * 1000:7.1f} | {lost:>4} | {ratio:>6} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", default="1000,2000")
    parser.add_argument("--modes", default="memory,redis")
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--via", default="socket,http", help="how the chair moves the item")
    parser.add_argument(
        "--deflate-baseline",
        action="store_true",
        help="also measure the bare server with websockets' default per-message deflate",
    )
    args = parser.parse_args()
    private_environment()
    django_ready()
    modes = [m for m in args.modes.split(",") if m]
    if "redis" in modes and not redis_available():
        print(f"Redis không truy cập được tại {REDIS_URL}: bỏ qua chế độ redis.")
        modes.remove("redis")
    print(f"Live fan-out · {time.strftime('%Y-%m-%d %H:%M')} · {machine()}")
    print(f"{args.moves} moves of the current item (after {WARM_UP} warm-up), median time until")
    print("the last client has each event.\n")
    print(f"| {'N':>5} | {'server':<36} | median ms |  min ms |  max ms | lost |  ratio |")
    print(f"|------:|{'-' * 38}|----------:|--------:|--------:|-----:|-------:|")
    failed = False
    labels = {"memory": "KyHop in-memory, 1 process", "redis": "KyHop Redis, 2 processes"}
    vias = [v for v in args.via.split(",") if v]
    for n in [int(x) for x in args.n.split(",")]:
        # The reference is configured like KyHop as deployed (no per-message deflate); the
        # websockets default (deflate per socket) is shown for comparison, against it.
        samples, lost = asyncio.run(run_baseline(n, args.moves, "none"))
        baseline = statistics.median(samples) * 1000
        print(row(n, "bare websockets broadcast", samples, lost, None), flush=True)
        if args.deflate_baseline:
            samples, lost = asyncio.run(run_baseline(n, args.moves, "deflate"))
            print(row(n, "bare websockets, deflate (info)", samples, lost, baseline), flush=True)
        for mode in modes:
            for via in vias:
                meeting = make_meeting(n)
                samples, lost = asyncio.run(run_kyhop(n, mode, meeting, args.moves, via))
                label = f"{labels[mode]}, {via}"
                print(row(n, label, samples, lost, baseline), flush=True)
                failed = failed or lost > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
