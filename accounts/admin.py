from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from accounts.http import request_user
from accounts.models import Body, Membership, User
from accounts.services import audit_admin_change


class AuditedAdmin(admin.ModelAdmin):
    """Every change made in the admin is written to the audit trail."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        verb = f"{obj._meta.model_name}.{'changed' if change else 'created'}_in_admin"
        audit_admin_change(
            actor=request_user(request), target=obj, verb=verb, changed=list(form.changed_data)
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_admin_change(
            actor=request_user(request),
            target=obj,
            verb=f"{obj._meta.model_name}.deleted_in_admin",
            changed=[],
        )
        super().delete_model(request, obj)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Body)
class BodyAdmin(AuditedAdmin):
    list_display = ["name", "symbol", "code", "kind", "parent", "total_members", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "symbol", "code"]
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]


@admin.register(User)
class UserAdmin(DjangoUserAdmin, AuditedAdmin):
    list_display = ["username", "full_name", "position", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email", "phone"]
    ordering = ["full_name"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Thông tin cá nhân", {"fields": ("full_name", "position", "phone", "email", "clearance")}),
        (
            "Quyền",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Thời gian", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "position", "password1", "password2"),
            },
        ),
    )
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "body", "role"]
    list_filter = ["role", "body"]
    search_fields = ["user__full_name", "user__username", "body__name"]
    autocomplete_fields = ["user", "body"]


# django-axes' list of counted attempts (AXES_ENABLE_ADMIN is off so its empty access logs do
# not show): an administrator unlocks a name at an address by deleting its row.
admin.site.register(AccessAttempt, AccessAttemptAdmin)
