"""The meeting while it runs: the check-in window, the state every screen follows, the chair's
conclusions and the speaker queue.

``LiveState`` holds, one row per meeting, the sequence number of its live events: it is
incremented in the same transaction as the change it announces, so two processes can never hand
out the same number, and a client that sees a gap knows it missed something.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop

from meetings.models.meeting import AgendaItem, Meeting, Participant


class CheckInWindow(models.Model):
    """The clerk opens check-in before the meeting starts; participants may then check in."""

    meeting = models.OneToOneField(
        Meeting, verbose_name="cuộc họp", on_delete=models.CASCADE, related_name="checkin_window"
    )
    opened_at = models.DateTimeField("mở điểm danh lúc")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người mở",
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("đóng điểm danh lúc", null=True, blank=True)

    class Meta:
        verbose_name = "phiên điểm danh"
        verbose_name_plural = "phiên điểm danh"

    def __str__(self) -> str:
        return f"Điểm danh — {self.meeting}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class LiveState(models.Model):
    meeting = models.OneToOneField(
        Meeting,
        verbose_name="cuộc họp",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="live_state",
    )
    seq = models.PositiveBigIntegerField("số thứ tự sự kiện", default=0)
    current_item = models.ForeignKey(
        AgendaItem,
        verbose_name="mục đang thảo luận",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The item timer: seconds used before the current run plus, while running, the time since
    # ``timer_started_at``. Screens compute the remaining time from these, so no tick is sent.
    timer_started_at = models.DateTimeField("bắt đầu tính giờ lúc", null=True, blank=True)
    timer_elapsed_seconds = models.PositiveIntegerField("số giây đã dùng", default=0)
    timer_limit_seconds = models.PositiveIntegerField("thời lượng (giây)", default=0)
    speaking_limit_seconds = models.PositiveIntegerField(
        "thời gian tối đa mỗi lượt phát biểu (giây)", default=300
    )
    presenter_document = models.ForeignKey(
        "documents.Document",
        verbose_name="văn bản đang trình chiếu",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    presenter_page = models.PositiveIntegerField("trang đang trình chiếu", default=1)
    presenter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người trình chiếu",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.CharField("thông báo", max_length=300, blank=True)
    message_at = models.DateTimeField("thông báo lúc", null=True, blank=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "trạng thái trực tiếp"
        verbose_name_plural = "trạng thái trực tiếp"

    def __str__(self) -> str:
        return f"{self.meeting_id} #{self.seq}"


class ItemConclusion(models.Model):
    """The chair's conclusion (kết luận) on an agenda item, kept for the minutes."""

    item = models.OneToOneField(
        AgendaItem,
        verbose_name="mục chương trình",
        on_delete=models.CASCADE,
        related_name="conclusion",
    )
    text = models.TextField("kết luận")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người ghi",
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField("ghi lúc")

    class Meta:
        verbose_name = "kết luận"
        verbose_name_plural = "kết luận"

    def __str__(self) -> str:
        return f"Kết luận — {self.item}"


class SpeakerKind(models.TextChoices):
    SPEECH = "speech", gettext_noop("Phát biểu")
    QUESTION = "question", gettext_noop("Chất vấn")
    POINT_OF_ORDER = "point_of_order", gettext_noop("Kiến nghị về thủ tục")


class SpeakerStatus(models.TextChoices):
    REQUESTED = "requested", gettext_noop("Đăng ký")
    GRANTED = "granted", gettext_noop("Được mời phát biểu")
    SPEAKING = "speaking", gettext_noop("Đang phát biểu")
    DONE = "done", gettext_noop("Đã phát biểu")
    WITHDRAWN = "withdrawn", gettext_noop("Rút đăng ký")


class SpeakerRequest(models.Model):
    """A request for the floor on an agenda item (đăng ký phát biểu, chất vấn)."""

    participant = models.ForeignKey(
        Participant,
        verbose_name="người đăng ký",
        on_delete=models.CASCADE,
        related_name="speaker_requests",
    )
    item = models.ForeignKey(
        AgendaItem,
        verbose_name="mục chương trình",
        on_delete=models.CASCADE,
        related_name="speaker_requests",
    )
    kind = models.CharField(
        "loại", max_length=20, choices=SpeakerKind.choices, default=SpeakerKind.SPEECH
    )
    status = models.CharField(
        "trạng thái",
        max_length=20,
        choices=SpeakerStatus.choices,
        default=SpeakerStatus.REQUESTED,
    )
    order = models.PositiveIntegerField("thứ tự", default=0)
    requested_at = models.DateTimeField("đăng ký lúc")
    started_at = models.DateTimeField("bắt đầu lúc", null=True, blank=True)
    ended_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)

    class Meta:
        verbose_name = "đăng ký phát biểu"
        verbose_name_plural = "đăng ký phát biểu"
        ordering = ["item", "order", "id"]
        constraints = [
            # One open request per person and item: a double tap does not queue them twice.
            models.UniqueConstraint(
                fields=["participant", "item"],
                condition=Q(status__in=["requested", "granted", "speaking"]),
                name="speaker_one_open_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} — {self.item}"
