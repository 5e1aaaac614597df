"""The record a meeting leaves: drafted minutes (versions kept), the signed minutes and the
conclusion notice as documents going through signing requests, vote-result sheets, and the
meeting's work record. Drafting and rendering live in meetings/minutes/draft.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from meetings.models.meeting import Meeting
from meetings.models.voting import Poll


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", gettext_noop("Dự thảo")
    IN_SIGNING = "in_signing", gettext_noop("Đang trình ký")
    SIGNED = "signed", gettext_noop("Đã ký")
    SUPERSEDED = "superseded", gettext_noop("Đã thay bằng bản sau")


class MinutesDraft(models.Model):
    """One version of a meeting's minutes: structured JSON (see meetings/minutes/draft.py).

    Every save writes a new row, so the clerk's earlier wording is never lost. Only the latest
    row may be in signing; the document and request it went into are kept on it.
    """

    meeting = models.ForeignKey(
        Meeting, verbose_name="cuộc họp", on_delete=models.CASCADE, related_name="minutes_drafts"
    )
    version = models.PositiveIntegerField("phiên bản")
    content = models.JSONField("nội dung")
    status = models.CharField(
        "trạng thái", max_length=20, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người soạn",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    edited_at = models.DateTimeField("soạn lúc")
    document = models.ForeignKey(
        "documents.Document",
        verbose_name="văn bản biên bản",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signing_request = models.ForeignKey(
        "signing.SigningRequest",
        verbose_name="yêu cầu trình ký",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "dự thảo biên bản"
        verbose_name_plural = "dự thảo biên bản"
        ordering = ["meeting", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="minutes_version_once"),
        ]

    def __str__(self) -> str:
        return f"Biên bản {self.meeting_id} — phiên bản {self.version}"


class ConclusionNotice(models.Model):
    """Thông báo kết luận: generated from the item conclusions, signed like the minutes."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name="cuộc họp",
        on_delete=models.CASCADE,
        related_name="conclusion_notices",
    )
    document = models.ForeignKey(
        "documents.Document", verbose_name="văn bản", on_delete=models.PROTECT, related_name="+"
    )
    signing_request = models.ForeignKey(
        "signing.SigningRequest",
        verbose_name="yêu cầu trình ký",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "thông báo kết luận"
        verbose_name_plural = "thông báo kết luận"
        ordering = ["meeting", "-created_at"]

    def __str__(self) -> str:
        return f"Thông báo kết luận — {self.meeting_id}"


class VoteSheet(models.Model):
    """The registered PDF of one closed poll's result (phiếu kết quả biểu quyết)."""

    poll = models.OneToOneField(
        Poll, verbose_name="biểu quyết", on_delete=models.CASCADE, related_name="vote_sheet"
    )
    document = models.ForeignKey(
        "documents.Document", verbose_name="văn bản", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "kết quả biểu quyết"
        verbose_name_plural = "kết quả biểu quyết"

    def __str__(self) -> str:
        return f"Kết quả biểu quyết — {self.poll_id}"


class MeetingRecord(models.Model):
    """The work record (hồ sơ công việc) a meeting is filed into: one per meeting."""

    meeting = models.OneToOneField(
        Meeting, verbose_name="cuộc họp", on_delete=models.CASCADE, related_name="record_link"
    )
    record = models.OneToOneField(
        "documents.WorkRecord",
        verbose_name="hồ sơ",
        on_delete=models.PROTECT,
        related_name="meeting_link",
    )

    class Meta:
        verbose_name = "hồ sơ cuộc họp"
        verbose_name_plural = "hồ sơ cuộc họp"

    def __str__(self) -> str:
        return f"{self.meeting_id} → {self.record_id}"
