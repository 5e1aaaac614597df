from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_chain_verify


class Command(BaseCommand):
    help = "Kiểm tra toàn bộ chuỗi nhật ký kiểm toán; thoát với mã khác 0 nếu chuỗi bị phá vỡ."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_chain_verify()
        if report.first_break is not None:
            broken = report.first_break
            raise CommandError(
                f"Chuỗi nhật ký bị phá vỡ tại mục #{broken.seq}"
                f"{f' (id={broken.event_id})' if broken.event_id else ''}: {broken.reason}. "
                f"Đã kiểm tra hợp lệ {report.checked} mục trước đó."
            )
        self.stdout.write(self.style.SUCCESS(f"Chuỗi nhật ký nguyên vẹn: {report.checked} mục."))
