"""Signing identities, trust roots and validation reports.

The signing workflow (requests, steps, signatures) adds its models below in its own section.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import Body


class IdentityKind(models.TextChoices):
    PKCS12 = "pkcs12", gettext_noop("Tệp PKCS#12 lưu trên máy chủ")
    PKCS11 = "pkcs11", gettext_noop("Token / HSM (PKCS#11)")
    CSC = "csc", gettext_noop("Ký số từ xa (Cloud Signature Consortium)")
    EXTERNAL = "external", gettext_noop("Chữ ký tạo ở nơi khác (tải lên)")


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
    PASSED = "passed", gettext_noop("Hợp lệ")
    # Every signature passed, but a permitted later change alters the page outside the areas the
    # workflow expects (number/date fields, signature widgets): shown side by side in the report.
    PASSED_WITH_WARNINGS = "passed_with_warnings", gettext_noop("Hợp lệ, có cảnh báo")
    INDETERMINATE = "indeterminate", gettext_noop("Chưa xác định")
    FAILED = "failed", gettext_noop("Không hợp lệ")


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


# --- Signing requests (workflow) ---------------------------------------------------------------


class PadesLevelChoice(models.TextChoices):
    """The PAdES levels a body may choose; the values match ``signing.pades.sign.PadesLevel``."""

    B_B = "B-B", gettext_noop("PAdES B-B (chữ ký cơ bản)")
    B_T = "B-T", gettext_noop("PAdES B-T (có dấu thời gian)")
    B_LT = "B-LT", gettext_noop("PAdES B-LT (kèm dữ liệu thu hồi)")
    B_LTA = "B-LTA", gettext_noop("PAdES B-LTA (lưu trữ dài hạn)")


class BodySigningSettings(models.Model):
    """Per-body signing choices. A body without a row signs issued documents at B-LTA."""

    body = models.OneToOneField(
        Body, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="signing_settings"
    )
    pades_level = models.CharField(
        "mức chữ ký mặc định",
        max_length=10,
        choices=PadesLevelChoice.choices,
        default=PadesLevelChoice.B_LTA,
    )

    class Meta:
        verbose_name = "thiết lập ký số của cơ quan"
        verbose_name_plural = "thiết lập ký số của cơ quan"

    def __str__(self) -> str:
        return f"{self.body}: {self.pades_level}"


class RequestStatus(models.TextChoices):
    DRAFT = "draft", gettext_noop("Dự thảo")
    IN_PROGRESS = "in_progress", gettext_noop("Đang trình ký")
    COMPLETED = "completed", gettext_noop("Đã ký xong")
    RETURNED = "returned", gettext_noop("Bị trả lại")
    CANCELLED = "cancelled", gettext_noop("Đã hủy")


class StepKind(models.TextChoices):
    INITIAL = "initial", gettext_noop("Ký nháy")
    MAIN = "main", gettext_noop("Ký chính (người có thẩm quyền)")
    SEAL = "seal", gettext_noop("Đóng dấu cơ quan")


class StepStatus(models.TextChoices):
    PENDING = "pending", gettext_noop("Chưa đến lượt")
    ACTIVE = "active", gettext_noop("Đang chờ ký")
    DONE = "done", gettext_noop("Đã xong")
    RETURNED = "returned", gettext_noop("Bị trả lại")


class AssigneeStatus(models.TextChoices):
    WAITING = "waiting", gettext_noop("Đang chờ")
    SIGNED = "signed", gettext_noop("Đã ký")
    RETURNED = "returned", gettext_noop("Đã trả lại")
    DELEGATED = "delegated", gettext_noop("Đã ủy quyền")


class SignsAs(models.TextChoices):
    """How a delegate signs for the person whose place they take (Decree 30/2020/NĐ-CP, Art. 13
    and Appendix I): the prefix put before the original signer's position in the signer block."""

    KT = "KT.", gettext_noop("Ký thay (KT.)")
    TL = "TL.", gettext_noop("Thừa lệnh (TL.)")
    TUQ = "TUQ.", gettext_noop("Thừa ủy quyền (TUQ.)")


class SigningRequest(models.Model):
    """A document version routed for signature (trình ký) along ordered steps.

    ``current_version`` is the version the next signer signs: the prepared one (signature and
    numbering fields added) at first, then each signed version in turn. A signature is only
    stored if the document's latest version is still ``current_version``.
    """

    document = models.ForeignKey(
        "documents.Document",
        verbose_name="văn bản",
        on_delete=models.PROTECT,
        related_name="signing_requests",
    )
    source_version = models.ForeignKey(
        "documents.DocumentVersion",
        verbose_name="phiên bản trình ký",
        on_delete=models.PROTECT,
        related_name="+",
    )
    current_version = models.ForeignKey(
        "documents.DocumentVersion",
        verbose_name="phiên bản hiện tại",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.ForeignKey(
        Body, verbose_name="cơ quan ban hành", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("nội dung trình", max_length=500, blank=True)
    level = models.CharField("mức chữ ký", max_length=10, choices=PadesLevelChoice.choices)
    status = models.CharField(
        "trạng thái", max_length=20, choices=RequestStatus.choices, default=RequestStatus.DRAFT
    )
    is_attachment = models.BooleanField(
        "phụ lục tách tệp",
        default=False,
        help_text="Phụ lục gửi kèm ở tệp riêng: chỉ cơ quan ký, ở góc trên bên phải trang đầu.",
    )
    # A separate attachment is tied to the request of its main document: it carries that
    # document's number and symbol, so the agency signs it once the main one is numbered.
    main_request = models.ForeignKey(
        "self",
        verbose_name="văn bản chính",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    number_field_rect = models.JSONField("vị trí ô số, ký hiệu", null=True, blank=True)
    date_field_rect = models.JSONField("vị trí ô ngày ban hành", null=True, blank=True)
    numbered_at = models.DateTimeField("cấp số lúc", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người trình",
        on_delete=models.PROTECT,
        related_name="signing_requests_created",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    sent_at = models.DateTimeField("trình lúc", null=True, blank=True)
    completed_at = models.DateTimeField("hoàn thành lúc", null=True, blank=True)
    # Hạn xử lý: the signer whose step is open is reminded before it and once when it passes
    # (signing/requests/reminders.py, on the schedule in signing/tasks.py).
    deadline = models.DateTimeField("hạn xử lý", null=True, blank=True)
    # The clerk's "Cấp số" after the competent person's signature has its reminders too, once
    # each, like a signer's (recorded here: numbering is the request's step, not an assignee's).
    number_reminded_at = models.DateTimeField("nhắc cấp số lúc", null=True, blank=True)
    number_overdue_reminded_at = models.DateTimeField(
        "nhắc cấp số quá hạn lúc", null=True, blank=True
    )
    return_reason = models.CharField("lý do trả lại", max_length=1000, blank=True)
    # What KyHop laid the document out from (documents.rendering.document_as_json), so that a
    # delegation can print the delegate's signer block; empty for an uploaded draft.
    rendered_from = models.JSONField("nội dung dàn trang", null=True, blank=True)

    class Meta:
        verbose_name = "yêu cầu trình ký"
        verbose_name_plural = "yêu cầu trình ký"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return f"Trình ký #{self.pk}: {self.document}"

    @property
    def is_overdue(self) -> bool:
        """Past its deadline and still open (a finished request is never overdue)."""
        open_statuses = (RequestStatus.DRAFT, RequestStatus.IN_PROGRESS)
        return bool(
            self.deadline and self.status in open_statuses and self.deadline <= timezone.now()
        )


class SigningStep(models.Model):
    """One stage of a request; its assignees act in parallel, the stages in ``order``."""

    request = models.ForeignKey(
        SigningRequest, verbose_name="yêu cầu", on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField("thứ tự")
    kind = models.CharField("loại bước", max_length=10, choices=StepKind.choices)
    status = models.CharField(
        "trạng thái", max_length=10, choices=StepStatus.choices, default=StepStatus.PENDING
    )

    class Meta:
        verbose_name = "bước ký"
        verbose_name_plural = "bước ký"
        ordering = ["request", "order"]
        constraints = [
            models.UniqueConstraint(fields=["request", "order"], name="signing_step_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.get_kind_display()}"


class StepAssignee(models.Model):
    """Who acts on a step: a person with their own certificate, or a body's seal.

    A seal assignee names the body (its seal identity signs) and, optionally, the clerk; with
    no clerk named any clerk (văn thư) of that body may apply the seal. The placement is the
    rectangle (PDF points, origin bottom-left) the clerk chose or the document's named field.
    """

    step = models.ForeignKey(
        SigningStep, verbose_name="bước", on_delete=models.CASCADE, related_name="assignees"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người ký",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signing_assignments",
    )
    seal_body = models.ForeignKey(
        Body,
        verbose_name="con dấu của cơ quan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    field_name = models.CharField("tên ô chữ ký", max_length=64)
    page = models.PositiveIntegerField("trang (từ 0)", null=True, blank=True)
    x = models.FloatField(null=True, blank=True)
    y = models.FloatField(null=True, blank=True)
    width = models.FloatField(null=True, blank=True)
    height = models.FloatField(null=True, blank=True)
    status = models.CharField(
        "trạng thái", max_length=10, choices=AssigneeStatus.choices, default=AssigneeStatus.WAITING
    )
    acted_at = models.DateTimeField("xử lý lúc", null=True, blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người xử lý",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField("lý do", max_length=1000, blank=True)
    delegated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ủy quyền cho",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A delegate's row names the row whose place it took and how it signs for it (KT., …).
    delegated_from = models.ForeignKey(
        "self",
        verbose_name="ký thay cho",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signs_as = models.CharField("hình thức ký", max_length=5, choices=SignsAs.choices, blank=True)
    signed_version = models.ForeignKey(
        "documents.DocumentVersion",
        verbose_name="phiên bản sau khi ký",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Each deadline reminder goes once per assignee: before the deadline, then once overdue.
    reminded_at = models.DateTimeField("nhắc hạn lúc", null=True, blank=True)
    overdue_reminded_at = models.DateTimeField("nhắc quá hạn lúc", null=True, blank=True)

    class Meta:
        verbose_name = "người xử lý bước ký"
        verbose_name_plural = "người xử lý bước ký"
        ordering = ["step", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(seal_body__isnull=False),
                name="assignee_user_or_seal",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user or self.seal_body)

    @property
    def has_placement(self) -> bool:
        return None not in (self.page, self.x, self.y, self.width, self.height)


class RequestReader(models.Model):
    """A reader in copy (người nhận để biết): notified, may read, never acts."""

    request = models.ForeignKey(
        SigningRequest, verbose_name="yêu cầu", on_delete=models.CASCADE, related_name="readers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nhận",
        on_delete=models.CASCADE,
        related_name="signing_copies",
    )

    class Meta:
        verbose_name = "người nhận để biết"
        verbose_name_plural = "người nhận để biết"
        constraints = [
            models.UniqueConstraint(fields=["request", "user"], name="request_reader_unique"),
        ]

    def __str__(self) -> str:
        return str(self.user)


class SigningNotice(models.Model):
    """An on-screen notice (the e-mail's twin), shown until the person has read it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nhận",
        on_delete=models.CASCADE,
        related_name="signing_notices",
    )
    request = models.ForeignKey(
        SigningRequest, verbose_name="yêu cầu", on_delete=models.CASCADE, related_name="notices"
    )
    message = models.CharField("nội dung", max_length=500)
    created_at = models.DateTimeField("lúc", auto_now_add=True)
    read_at = models.DateTimeField("đã xem lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo ký số"
        verbose_name_plural = "thông báo ký số"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.message


class ArchiveTimestamp(models.Model):
    """When the TSA certificate of a stored PDF's newest document time-stamp expires, read once
    per file (stored files never change), so the renewal job asks the database which archived
    documents are due instead of opening every PDF at every run. ``expires_at`` is empty for
    a file with no document time-stamp."""

    blob = models.OneToOneField(
        "documents.Blob",
        verbose_name="tệp",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="archive_timestamp",
    )
    expires_at = models.DateTimeField("chứng thư TSA hết hạn", null=True, blank=True)

    class Meta:
        verbose_name = "dấu thời gian lưu trữ"
        verbose_name_plural = "dấu thời gian lưu trữ"
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.blob_id}: {self.expires_at}"
