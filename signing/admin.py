from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from accounts.http import request_user
from signing.models import (
    BodySigningSettings,
    SigningIdentity,
    SigningRequest,
    SigningStep,
    StepAssignee,
    TrustRoot,
)
from signing.pades.trust import (
    CertificateFacts,
    certificate_facts,
    trust_root_add,
    trust_root_update,
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


class TrustRootAddForm(forms.ModelForm):
    """Add a root from its PEM or DER file: subject, expiry and fingerprint are read from it."""

    certificate_file = forms.FileField(
        label="Tệp chứng thư gốc (PEM hoặc DER)",
        help_text="Đối chiếu dấu vân tay SHA-256 hiển thị sau khi thêm với giá trị do tổ chức "
        "cấp chứng thư công bố trước khi tin cậy.",
    )

    class Meta:
        model = TrustRoot
        fields = ("certificate_file", "name", "enabled", "note")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = "Để trống: lấy tên chung (CN) của chứng thư."

    def clean_certificate_file(self) -> CertificateFacts:
        upload = self.cleaned_data["certificate_file"]
        if upload.size > 64 * 1024:  # a certificate is a few kilobytes
            raise forms.ValidationError("Tệp quá lớn để là một chứng thư số.")
        facts = certificate_facts(upload.read())
        if TrustRoot.objects.filter(fingerprint_sha256=facts["fingerprint_sha256"]).exists():
            raise forms.ValidationError("Chứng thư gốc này đã có trong danh sách tin cậy.")
        return facts


@admin.register(TrustRoot)
class TrustRootAdmin(admin.ModelAdmin):
    list_display = ["name", "subject", "fingerprint", "not_after", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["name", "subject", "fingerprint_sha256"]
    # Certificate facts come from the file and never change; only name, trust and note do.
    readonly_fields = ("subject", "fingerprint", "not_after", "created_at")
    fields = ("name", "subject", "fingerprint", "not_after", "enabled", "note", "created_at")

    @admin.display(description="dấu vân tay SHA-256")
    def fingerprint(self, obj: TrustRoot) -> str:
        # Grouped in pairs, as CAs publish it, so that it can be compared by eye.
        value = obj.fingerprint_sha256.upper()
        return ":".join(value[i : i + 2] for i in range(0, len(value), 2))

    def get_form(
        self,
        request: HttpRequest,
        obj: TrustRoot | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm[TrustRoot]]:
        if obj is None:
            kwargs["form"] = TrustRootAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: TrustRoot | None = None) -> tuple[str, ...]:
        return TrustRootAddForm.Meta.fields if obj is None else self.fields

    def get_readonly_fields(
        self, request: HttpRequest, obj: TrustRoot | None = None
    ) -> tuple[str, ...]:
        return () if obj is None else self.readonly_fields

    def save_model(
        self, request: HttpRequest, obj: TrustRoot, form: forms.ModelForm[TrustRoot], change: bool
    ) -> None:
        # The services check, store and audit; the admin only gathers what was typed.
        if change:
            trust_root_update(actor=request_user(request), root=obj)
        else:
            certificate = form.cleaned_data["certificate_file"]["certificate"]
            trust_root_add(actor=request_user(request), root=obj, certificate=certificate)


@admin.register(BodySigningSettings)
class BodySigningSettingsAdmin(admin.ModelAdmin):
    list_display = ["body", "pades_level"]


_ASSIGNEE_FIELDS = ("user", "seal_body", "field_name", "status", "acted_at", "reason")


class StepAssigneeInline(admin.TabularInline):
    model = StepAssignee
    extra = 0
    fields = _ASSIGNEE_FIELDS
    readonly_fields = _ASSIGNEE_FIELDS
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
