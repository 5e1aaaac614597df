"""Readiness checks shared by the ``/readyz`` view and ``manage.py readiness``.

Each check answers True/False within ``PROBE_TIMEOUT`` seconds and never raises: a probe that
errors would be read by the orchestrator as "down" anyway, and must not leak details.
"""

from __future__ import annotations

import asyncio
import logging
import secrets

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)

PROBE_TIMEOUT = 2.0


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception as exc:  # any driver error means "not ready"; the reason goes to the log
        logger.warning("readiness: database check failed: %s", exc)
        return False


def cache_ok() -> bool:
    """A write and a read-back: the shared cache (Redis in production) holds sessions' throttling
    counters and page caches, so a worker without it is not ready."""
    key = f"readyz:{secrets.token_hex(8)}"
    try:
        cache.set(key, "1", 10)
        ok = cache.get(key) == "1"
        cache.delete(key)
        return ok
    except Exception as exc:  # a Redis connection error, whatever its class
        logger.warning("readiness: cache check failed: %s", exc)
        return False


async def channel_layer_ok() -> bool:
    """A message through the channel layer to a fresh channel of this process and back: what
    every live event between workers depends on."""
    layer = get_channel_layer()
    if layer is None:
        return True  # no live meetings configured: nothing to wait for
    try:
        channel = await layer.new_channel("readyz.")
        await layer.send(channel, {"type": "readyz.ping"})
        message = await asyncio.wait_for(layer.receive(channel), PROBE_TIMEOUT)
        return message.get("type") == "readyz.ping"
    except Exception as exc:  # timeouts, Redis errors
        logger.warning("readiness: channel layer check failed: %s", exc)
        return False


async def _timed(check, *, sync: bool) -> bool:
    try:
        if sync:
            return await asyncio.wait_for(sync_to_async(check)(), PROBE_TIMEOUT)
        return await asyncio.wait_for(check(), PROBE_TIMEOUT + 0.5)
    except TimeoutError:
        logger.warning("readiness: %s timed out", getattr(check, "__name__", check))
        return False


async def readiness() -> dict[str, bool]:
    """Every check, run one after the other (a probe should not open parallel connections)."""
    return {
        "database": await _timed(database_ok, sync=True),
        "cache": await _timed(cache_ok, sync=True),
        "channel_layer": await _timed(channel_layer_ok, sync=False),
    }
