"""``manage.py readiness``: the readiness probe for processes that serve no HTTP (the task
worker, cron jobs): the same checks as ``/readyz``, exit status 0 when ready, 1 when not."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand

from kyhop.probes import readiness


class Command(BaseCommand):
    help = "Kiểm tra cơ sở dữ liệu, bộ nhớ đệm và kênh trực tiếp; mã thoát 0 nếu sẵn sàng."

    def handle(self, *args: Any, **options: Any) -> None:
        checks = asyncio.run(readiness())
        self.stdout.write(json.dumps(checks))
        if not all(checks.values()):
            sys.exit(1)
