"""Flag the active content (JavaScript, automatic actions...) of PDFs stored before the upload
check existed. Safe to run again: blobs already flagged are skipped, and nothing is changed in
the files or their rows."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from pypdf import PdfReader

from documents.models import ActiveContent, Blob
from documents.storage import blob_open
from documents.uploads.active_content import pdf_active_content
from documents.uploads.checks import MIME_TYPES, PDF_PARSE_ERRORS, UploadKind


class Command(BaseCommand):
    help = "Tìm mã JavaScript / hành động tự chạy trong các tệp PDF đã lưu trước đây."

    def handle(self, *args: Any, **options: Any) -> None:
        blobs = Blob.objects.filter(
            mime=MIME_TYPES[UploadKind.PDF], active_content__isnull=True
        ).order_by("pk")
        flagged = scanned = 0
        for blob in blobs.iterator():
            scanned += 1
            try:
                with blob_open(blob.storage_name) as stream:
                    kinds = pdf_active_content(PdfReader(stream, strict=False))
            except (OSError, *PDF_PARSE_ERRORS) as exc:
                self.stderr.write(f"{blob.sha256[:12]}: không đọc được ({exc})")
                continue
            if kinds:
                ActiveContent.objects.get_or_create(blob=blob, defaults={"kinds": kinds})
                flagged += 1
        self.stdout.write(f"Đã kiểm tra {scanned} tệp PDF; {flagged} tệp có nội dung chủ động.")
