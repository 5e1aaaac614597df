"""Signing identities, trust roots and validation reports.

The signing workflow (requests, steps, signatures) adds its models below in its own section.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Body


class IdentityKind(models.TextChoices):
    PKCS12 = "pkcs12", "Tệp PKCS#12 lưu trên máy chủ"
    PKCS11 = "pkcs11", "Token / HSM (PKCS#11)"
    CSC = "csc", "Ký số từ xa (Cloud Signature Consortium)"
    EXTERNAL = "external", "Chữ ký tạo ở nơi khác (tải lên)"


class SigningIdentity(models.Model):
    """A certificate someone signs with: a person's own, or a body's seal (con dấu số).

    ``name`` is the identity's handle (``sign_pdf --identity``). The private key never sits
    here in clear: a PKCS#12 is kept as its passphrase-encrypted bytes and the passphrase or PIN
    is asked for at signing time and never stored; a token or remote service keeps its own key.
    """

    name = models.SlugField("mã định danh", max_length=100, unique=True)
    kind = models.CharField(
        "loại", max_length=20, choices=IdentityKind.choices, default=IdentityKind.PKCS12
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người ký",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signing_identities",
    )
    owner_body = models.ForeignKey(
        Body,
        verbose_name="cơ quan (con dấu)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seal_identities",
    )
    certificate = models.BinaryField("chứng thư số (DER)")
    subject = models.CharField("chủ thể", max_length=500)
    issuer = models.CharField("tổ chức cấp", max_length=500)
    serial = models.CharField("số hiệu", max_length=100)
    fingerprint_sha256 = models.CharField("dấu vân tay SHA-256", max_length=64)
    not_before = models.DateTimeField("hiệu lực từ")
    not_after = models.DateTimeField("hiệu lực đến")
    pkcs12 = models.BinaryField("tệp PKCS#12 (đã mã hoá bằng mật khẩu)", null=True, blank=True)
    pkcs11_module = models.CharField("thư viện PKCS#11", max_length=300, blank=True)
    pkcs11_token_label = models.CharField("nhãn token", max_length=100, blank=True)
    pkcs11_key_label = models.CharField("nhãn khoá", max_length=100, blank=True)
    csc_service_url = models.URLField("địa chỉ dịch vụ CSC", blank=True)
    csc_credential_id = models.CharField("mã chứng thư CSC", max_length=200, blank=True)
    signature_image = models.BinaryField(
        "ảnh chữ ký / con dấu (PNG trong suốt)", null=True, blank=True
    )
    is_active = models.BooleanField("đang dùng", default=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "chứng thư ký số"
        verbose_name_plural = "chứng thư ký số"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(owner_user__isnull=False, owner_body__isnull=True)
                    | Q(owner_user__isnull=True, owner_body__isnull=False)
                ),
                name="identity_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_kind_display()})"

    @property
    def is_seal(self) -> bool:
        return self.owner_body_id is not None


class TrustRoot(models.Model):
    """A root certificate that signatures must chain to (set by the administrator).

    In production: the national root CA (NEAC) and the Government CA; in the demo: the
    development PKI's root. The operating system's store is never used.
    """

    name = models.CharField("tên", max_length=200)
    certificate = models.BinaryField("chứng thư (DER)")
    subject = models.CharField("chủ thể", max_length=500)
    fingerprint_sha256 = models.CharField("dấu vân tay SHA-256", max_length=64, unique=True)
    not_after = models.DateTimeField("hiệu lực đến")
    enabled = models.BooleanField("tin cậy", default=True)
    note = models.CharField("ghi chú", max_length=500, blank=True)
    created_at = models.DateTimeField("thêm lúc", auto_now_add=True)

    class Meta:
        verbose_name = "chứng thư gốc tin cậy"
        verbose_name_plural = "chứng thư gốc tin cậy"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Verdict(models.TextChoices):
    PASSED = "passed", "Hợp lệ"
    INDETERMINATE = "indeterminate", "Chưa xác định"
    FAILED = "failed", "Không hợp lệ"


class ValidationReport(models.Model):
    """The result of checking a PDF's signatures, kept with the version it checked."""

    version = models.ForeignKey(
        "documents.DocumentVersion",
        verbose_name="phiên bản",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="validation_reports",
    )
    file_sha256 = models.CharField("SHA-256 của tệp", max_length=64, db_index=True)
    file_name = models.CharField("tên tệp", max_length=255, blank=True)
    verdict = models.CharField("kết luận", max_length=20, choices=Verdict.choices)
    report = models.JSONField("báo cáo")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người kiểm tra",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("kiểm tra lúc", auto_now_add=True)

    class Meta:
        verbose_name = "báo cáo kiểm tra chữ ký"
        verbose_name_plural = "báo cáo kiểm tra chữ ký"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name or self.file_sha256[:12]}: {self.get_verdict_display()}"
