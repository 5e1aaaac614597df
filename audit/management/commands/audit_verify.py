"""``manage.py audit_verify``: check the audit chain from the last checkpoint, or all of it.

A daily incremental run reads only what was written since the last verified checkpoint; a
periodic ``--full`` run re-reads everything, which is what finds an edit before a checkpoint
that left the hashes alone (see ``audit.models.AuditCheckpoint`` for why the checkpoint itself
cannot be used to hide tampering).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_chain_verify


class Command(BaseCommand):
    help = (
        "Kiểm tra chuỗi nhật ký kiểm toán từ điểm kiểm tra gần nhất (--full: từ mục đầu tiên); "
        "thoát với mã khác 0 nếu chuỗi bị phá vỡ."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--full",
            action="store_true",
            help="Kiểm tra lại toàn bộ chuỗi từ mục đầu tiên và đối chiếu mọi điểm kiểm tra.",
        )
        parser.add_argument(
            "--no-checkpoint",
            action="store_true",
            help="Không ghi điểm kiểm tra mới sau khi kiểm tra xong.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        began = time.monotonic()
        report = audit_chain_verify(
            from_checkpoint=not options["full"], record_checkpoint=not options["no_checkpoint"]
        )
        seconds = time.monotonic() - began
        for checkpoint_id in report.ignored_checkpoints:
            self.stderr.write(
                f"Bỏ qua điểm kiểm tra id={checkpoint_id}: chữ ký không hợp lệ "
                "(khoá bí mật đã đổi, hoặc điểm kiểm tra bị giả mạo)."
            )
        where = (
            f"từ sau điểm kiểm tra #{report.started_after}"
            if report.started_after
            else "từ mục đầu tiên"
        )
        if report.first_break is not None:
            broken = report.first_break
            raise CommandError(
                f"Chuỗi nhật ký bị phá vỡ tại mục #{broken.seq}"
                f"{f' (id={broken.event_id})' if broken.event_id else ''}: {broken.reason}. "
                f"Đã kiểm tra hợp lệ {report.checked} mục trước đó ({where})."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Chuỗi nhật ký nguyên vẹn: {report.checked} mục ({where}, đến mục "
                f"#{report.last_seq}), {seconds:.1f} giây."
            )
        )
