"""Helpers of the background tests: a real SMTP server on loopback (aiosmtpd) and the real
worker process (db_worker) on the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
DATABASE_BACKEND = {"BACKEND": "django_tasks_db.DatabaseBackend"}


@dataclass
class SmtpServer:
    """Refuses the first ``refuse`` messages with a temporary error (451), then accepts."""

    port: int = 0
    refuse: int = 0
    refused: int = 0
    received: list[tuple[list[str], bytes]] = field(default_factory=list)
    sessions: list[object] = field(default_factory=list)  # one per connection

    @property
    def connections(self) -> int:
        return len(self.sessions)

    async def handle_DATA(self, server, session, envelope) -> str:
        if not any(seen is session for seen in self.sessions):
            self.sessions.append(session)
        if self.refused < self.refuse:
            self.refused += 1
            return "451 4.3.0 Hệ thống thư đang bận, thử lại sau"
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def run_worker(smtp: SmtpServer, **env: str) -> subprocess.CompletedProcess[str]:
    """The real worker on the test database, until no task is ready (--batch)."""
    return run_worker_with(
        EMAIL_BACKEND="background.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        EMAIL_USE_TLS="false",
        EMAIL_TIMEOUT="5",
        **env,
    )


def run_worker_with(**env: str) -> subprocess.CompletedProcess[str]:
    """The real worker on the test database with *env* (e.g. another mail backend)."""
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "KYHOP_VAR_DIR": str(settings.VAR_DIR),
        "KYHOP_TASKS_BACKEND": "database",
        "KYHOP_MAIL_RETRY_DELAYS": "0,0,0",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
