"""Register the development PKI's root as a trust root (demo and development only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from signing.pades.trust import trust_root_register_dev


class Command(BaseCommand):
    help = "Thêm chứng thư gốc của PKI phát triển vào danh sách gốc tin cậy (chỉ dùng cho demo)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Không thêm gốc của PKI phát triển trong cấu hình production.")
        try:
            root = trust_root_register_dev()
        except OSError as exc:
            raise CommandError(
                "Chưa có PKI phát triển: hãy chạy “manage.py pki_init” trước."
            ) from exc
        self.stdout.write(f"Đã tin cậy “{root.name}” (SHA-256 {root.fingerprint_sha256}).")
