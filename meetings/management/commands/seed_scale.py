"""``manage.py seed_scale``: a province's worth of data (see meetings/seed_scale/)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from meetings.seed_scale.run import seed_scale

SMALL = 0.002  # 40 meetings, 1,000 documents, 100 signing requests: for tests


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu quy mô một tỉnh: 252 cơ quan, 1.500 người, 5 năm lịch sử (20.000 cuộc họp, "
        "500.000 văn bản, 50.000 yêu cầu ký số) kèm chuỗi nhật ký. Chạy lại không thay đổi gì."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Hệ số quy mô (1 = cả tỉnh; 0.01 = 1%%)."
        )
        parser.add_argument(
            "--small", action="store_true", help=f"Quy mô nhỏ cho kiểm thử (--scale {SMALL})."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Hạt giống ngẫu nhiên.")

    def handle(self, *args: Any, **options: Any) -> None:
        scale = SMALL if options["small"] else options["scale"]
        if not 0 < scale <= 4:
            raise CommandError("--scale phải lớn hơn 0 và không quá 4.")
        verbose = options["verbosity"] >= 2
        outcome = seed_scale(
            scale=scale,
            seed=options["seed"],
            progress=(lambda line: self.stdout.write(line)) if verbose else (lambda _l: None),
        )
        if not outcome.created:
            self.stdout.write("Dữ liệu quy mô tỉnh đã có; không thay đổi gì.")
            return
        for table, count in sorted(outcome.rows.items()):
            self.stdout.write(f"  {table}: {count}")
        self.stdout.write(
            self.style.SUCCESS(f"Đã tạo dữ liệu quy mô tỉnh trong {outcome.seconds:.0f} giây.")
        )
