"""Create the development PKI once (``make pki``); a second run changes nothing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from signing.devpki import pki_create


class Command(BaseCommand):
    help = "Tạo PKI phát triển (CA, TSA, OCSP, CRL, chứng thư của người ký và con dấu mẫu)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = pki_create(
                directory=settings.KYHOP_PKI_DIR,
                base_url=settings.KYHOP_PKI_URL,
                passphrase=settings.KYHOP_PKI_PASSPHRASE,
            )
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        names = ", ".join(result.identities)
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Đã tạo PKI phát triển ở {result.layout.root} cho {settings.KYHOP_PKI_URL}. "
                    f"Khóa ký: {names}."
                )
            )
        else:
            self.stdout.write(f"PKI phát triển đã có ở {result.layout.root}; không thay đổi gì.")
