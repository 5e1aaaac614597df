from typing import cast

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

from audit.models import AuditCheckpoint, AuditEvent

# The families of verbs the apps write ("meeting.created" belongs to "meeting"). A fixed list:
# the admin's own filter would read every distinct verb of millions of rows on each page view.
VERB_FAMILIES = [
    ("user", "Người dùng"),
    ("body", "Cơ quan"),
    ("membership", "Thành viên cơ quan"),
    ("login", "Đăng nhập"),
    ("document", "Văn bản"),
    ("document_note", "Ghi chú riêng"),
    ("work_record", "Hồ sơ công việc"),
    ("meeting", "Cuộc họp"),
    ("agenda", "Chương trình họp"),
    ("attendance", "Điểm danh"),
    ("poll", "Biểu quyết"),
    ("minutes", "Biên bản"),
    ("signing", "Ký số"),
]


class VerbFamilyFilter(admin.SimpleListFilter):
    title = "nhóm hành động"
    parameter_name = "nhom"

    def lookups(self, request, model_admin):
        return VERB_FAMILIES

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(verb__startswith=f"{value}.") if value else queryset


class EstimatedCountPaginator(Paginator):
    """Pages of a log with millions of rows without counting them on every view.

    Unfiltered on PostgreSQL: the planner's row estimate for the table (kept by autovacuum,
    exact after ANALYZE), which is what the page numbers need. Filtered: an exact count, but
    of at most ``COUNT_CAP`` rows; past that the last page link is approximate. Both are shown
    as counts, never used for anything but the page links.
    """

    COUNT_CAP = 100_000

    @cached_property
    def count(self) -> int:
        # This paginator serves only the audit changelist, whose list is a queryset.
        queryset = cast("QuerySet[AuditEvent]", self.object_list)
        if connection.vendor == "postgresql" and not queryset.query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE relname = %s",
                    [AuditEvent._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] > 0:
                return int(row[0])
        return queryset.order_by()[: self.COUNT_CAP].count()


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, so the admin offers no add, change or delete."""

    list_display = ["seq", "at", "actor_label", "verb", "object_type", "object_id"]
    # One filter: each one's links are rendered on every page view of the list.
    list_filter = [VerbFamilyFilter]
    # Exact lookups only: a substring search would read the whole log. Object ids and verbs
    # are typed exactly; a person is found by the user name at the start of the label.
    search_fields = ["=object_id", "=verb", "^actor_label"]
    search_help_text = (
        "Mã đối tượng hoặc hành động (chính xác), hoặc tên đăng nhập người thực hiện."
    )
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    ordering = ["-seq"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 30

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(admin.ModelAdmin):
    """Written by ``audit_verify`` only; read-only here like the log."""

    list_display = ["seq", "verified_at", "checked", "full"]
    readonly_fields = [f.name for f in AuditCheckpoint._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: AuditCheckpoint | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: AuditCheckpoint | None = None
    ) -> bool:
        return False
