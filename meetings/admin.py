"""Admin: clerks edit their bodies' voting rules; meetings are shown, not edited, here (the
meeting screens own those writes and their checks). Secret-ballot tables are not registered."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin import AuditedAdmin
from meetings.models import AgendaItem, Meeting, Participant, Poll, VotingRule


@admin.register(VotingRule)
class VotingRuleAdmin(AuditedAdmin):
    list_display = [
        "name",
        "body",
        "is_default",
        "base",
        "threshold",
        "tie_policy",
        "eligible_voters",
    ]
    list_filter = ["base", "threshold", "tie_policy", "is_default"]
    search_fields = ["name", "body__name"]
    autocomplete_fields = ["body"]
    fieldsets = (
        (None, {"fields": ("body", "name", "is_default")}),
        (
            "Số thành viên có mặt tối thiểu (trên tổng số thành viên)",
            {"fields": ("quorum_numerator", "quorum_denominator")},
        ),
        (
            "Thông qua",
            {
                "fields": (
                    "base",
                    "threshold",
                    "custom_numerator",
                    "custom_denominator",
                    "custom_strict",
                    "tie_policy",
                )
            },
        ),
        (
            "Người biểu quyết và phiếu tín nhiệm",
            {"fields": ("eligible_voters", "confidence_flags")},
        ),
    )


class ReadMostlyAdmin(AuditedAdmin):
    """Visible to staff for support; changes go through the meeting screens and services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    readonly_fields = ("position", "title", "presenter", "planned_minutes")
    fields = readonly_fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Meeting)
class MeetingAdmin(ReadMostlyAdmin):
    list_display = ["title", "body", "starts_at", "status", "confidentiality"]
    list_filter = ["status", "kind", "body"]
    search_fields = ["title", "body__name", "invitation_number"]
    date_hierarchy = "starts_at"
    inlines = [AgendaItemInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadMostlyAdmin):
    list_display = ["title", "meeting", "position"]
    search_fields = ["title", "meeting__title"]


@admin.register(Participant)
class ParticipantAdmin(ReadMostlyAdmin):
    list_display = ["user", "meeting", "role", "rsvp", "checked_in_at", "attendance_mode"]
    list_filter = ["role", "rsvp", "attendance_mode"]
    search_fields = ["user__full_name", "meeting__title"]


@admin.register(Poll)
class PollAdmin(ReadMostlyAdmin):
    list_display = ["title", "kind", "secret", "status", "opened_at", "closed_at"]
    list_filter = ["kind", "secret", "status"]
    search_fields = ["title"]
