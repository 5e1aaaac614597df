"""The fan-out reference: a bare `websockets` server broadcasting what the chair sends.

Run by the live benchmarks in its own process: ``python _baseline_server.py PORT [deflate|none]``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from websockets.asyncio.server import broadcast, serve


async def _run_baseline(port: int, compression: str | None) -> None:
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

    async with serve(
        handler, "127.0.0.1", port, ping_interval=None, max_queue=None, compression=compression
    ):
        await asyncio.Future()


if __name__ == "__main__":
    # "deflate" (websockets' default) or "none": like KyHop as deployed, no per-message deflate.
    mode = sys.argv[2] if len(sys.argv) > 2 else "deflate"
    asyncio.run(_run_baseline(int(sys.argv[1]), None if mode == "none" else "deflate"))
