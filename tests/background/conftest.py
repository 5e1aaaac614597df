"""Fixtures of the background tests (their helpers are in helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from tests.background.helpers import DATABASE_BACKEND, SmtpServer, free_port


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(port=free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    yield server
    controller.stop()


@pytest.fixture
def database_tasks(settings):
    """Tasks queued in the database, as in development and production."""
    settings.TASKS = {**settings.TASKS, "default": DATABASE_BACKEND}
