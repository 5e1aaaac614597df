"""Start real server processes (uvicorn) on the test database, for live and browser tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_for_servers() -> str:
    """The URL of the database pytest-django created, for server processes to share."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}"


def wait_until_healthy(base_url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    # Generous: a loaded two-core machine takes tens of seconds to import Django and pyHanko.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)  # polling a readiness probe, not waiting for an outcome
    raise TimeoutError(f"{base_url} did not become healthy")


def start_server(port: int, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_servers(),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        **(extra_env or {}),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "kyhop.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            # As deployed (README): live frames are small and compressing them once per socket
            # was most of a fan-out's cost.
            "--ws-per-message-deflate",
            "false",
            # As deployed (README): KYHOP_TRUSTED_PROXIES alone decides whose forwarding
            # headers count; uvicorn's own would believe any client on the loopback.
            "--no-proxy-headers",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


@contextlib.contextmanager
def served(extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """A server process on a free port, healthy; yields its base URL, stops it after."""
    port = free_port()
    process = start_server(port, extra_env)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base_url, process)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def server_process(transactional_db) -> Iterator[str]:
    """An ASGI server (uvicorn) in its own process on the test database; yields its base URL."""
    with served() as base_url:
        yield base_url
