"""Serve the development PKI's TSA, OCSP responder, CRLs and CA certificates on loopback."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from werkzeug.serving import run_simple

from signing.devpki import animator


class Command(BaseCommand):
    help = "Chạy dịch vụ dấu thời gian, OCSP và CRL của PKI phát triển trên 127.0.0.1."

    def add_arguments(self, parser: CommandParser) -> None:
        default_port = urlsplit(settings.KYHOP_PKI_URL).port or 80
        parser.add_argument("--port", type=int, default=default_port)

    def handle(self, *args: Any, **options: Any) -> None:
        port: int = options["port"]
        expected = urlsplit(settings.KYHOP_PKI_URL).port
        if expected and port != expected:
            # The certificates name KYHOP_PKI_URL; serving elsewhere would break every lookup.
            url = settings.KYHOP_PKI_URL
            warning = f"Chú ý: các chứng thư trỏ tới {url}, không phải cổng {port}."
            self.stderr.write(self.style.WARNING(warning))
        try:
            app = animator(settings.KYHOP_PKI_DIR)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"PKI phát triển phục vụ tại http://127.0.0.1:{port}/ (Ctrl+C để dừng).")
        # Loopback only: these keys are public knowledge in a development checkout.
        run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False)
