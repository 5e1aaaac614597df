from django.contrib import admin

from signing.models import (
    BodySigningSettings,
    SigningIdentity,
    SigningRequest,
    SigningStep,
    StepAssignee,
    TrustRoot,
)


@admin.register(SigningIdentity)
class SigningIdentityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "owner_user", "owner_body", "subject", "not_after", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "subject"]
    # The key material and certificate are set by the import service, never typed in.
    exclude = ["pkcs12", "certificate", "signature_image"]
    readonly_fields = [
        "subject",
        "issuer",
        "serial",
        "fingerprint_sha256",
        "not_before",
        "not_after",
    ]


@admin.register(TrustRoot)
class TrustRootAdmin(admin.ModelAdmin):
    list_display = ["name", "subject", "not_after", "enabled"]
    exclude = ["certificate"]


@admin.register(BodySigningSettings)
class BodySigningSettingsAdmin(admin.ModelAdmin):
    list_display = ["body", "pades_level"]


class StepAssigneeInline(admin.TabularInline):
    model = StepAssignee
    extra = 0
    fields = ["user", "seal_body", "field_name", "status", "acted_at", "reason"]
    readonly_fields = fields
    can_delete = False


@admin.register(SigningStep)
class SigningStepAdmin(admin.ModelAdmin):
    list_display = ["request", "order", "kind", "status"]
    inlines = [StepAssigneeInline]


@admin.register(SigningRequest)
class SigningRequestAdmin(admin.ModelAdmin):
    # Read-only: requests change only through the services, which audit every step.
    list_display = ["pk", "document", "status", "level", "created_by", "sent_at"]
    list_filter = ["status", "level"]
    readonly_fields = [f.name for f in SigningRequest._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
