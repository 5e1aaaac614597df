"""The fan-out reference: a bare `websockets` server broadcasting what the chair sends.

Run by the live benchmarks in its own process: ``python _baseline_server.py PORT``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from websockets.asyncio.server import broadcast, serve


async def _run_baseline(port: int) -> None:
    """Every message from a client is re-serialised once and broadcast to all clients."""
    clients: set[Any] = set()

    async def handler(socket: Any) -> None:
        clients.add(socket)
        try:
            async for message in socket:
                order = json.loads(message)
                # Serialised once, like KyHop's events; a payload of similar size.
                text = json.dumps(
                    {"type": "item.current", "seq": order["seq"], "payload": order["payload"]},
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
                broadcast(clients, text)
        finally:
            clients.discard(socket)

    async with serve(handler, "127.0.0.1", port, ping_interval=None, max_queue=None):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(_run_baseline(int(sys.argv[1])))
