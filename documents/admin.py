"""Read-only admin views: documents and versions change only through the services (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from documents.models import Blob, Document, DocumentVersion, WorkRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    fk_name = "document"
    fields = ["number", "blob", "original", "file_name", "created_by", "created_at"]
    readonly_fields = fields  # type: ignore[assignment]  # the same flat list of names
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["number_symbol", "doc_type", "abstract", "owning_body", "issued_on", "status"]
    list_filter = ["doc_type", "status", "confidentiality"]
    search_fields = ["number", "symbol", "abstract", "search_text"]
    list_select_related = ["owning_body"]
    inlines = [VersionInline]


@admin.register(Blob)
class BlobAdmin(ReadOnlyAdmin):
    list_display = ["sha256", "mime", "size", "page_count", "created_at"]
    search_fields = ["sha256"]
    exclude = ["text"]


@admin.register(WorkRecord)
class WorkRecordAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "owning_body", "retention_label", "status"]
    list_filter = ["status"]
    search_fields = ["code", "name"]
