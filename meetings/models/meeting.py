"""A meeting before it starts: the meeting, its agenda tree, its participants and replies."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, gettext_noop

from accounts.models import Body, Clearance


class MeetingKind(models.TextChoices):
    REGULAR = "regular", gettext_noop("Họp thường kỳ")
    THEMATIC = "thematic", gettext_noop("Họp chuyên đề")
    EXTRAORDINARY = "extraordinary", gettext_noop("Họp bất thường")
    COUNCIL_SESSION = "council_session", gettext_noop("Kỳ họp Hội đồng nhân dân")
    CONFERENCE = "conference", gettext_noop("Hội nghị")


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", gettext_noop("Dự thảo")
    INVITED = "invited", gettext_noop("Đã gửi giấy mời")
    IN_PROGRESS = "in_progress", gettext_noop("Đang họp")
    CLOSED = "closed", gettext_noop("Đã kết thúc")
    MINUTES_SIGNED = "minutes_signed", gettext_noop("Đã ký biên bản")
    ARCHIVED = "archived", gettext_noop("Đã lưu trữ")
    CANCELLED = "cancelled", gettext_noop("Đã hủy")


# The moment a meeting counts at: when it was held, else when it is scheduled.
HELD_AT = Coalesce("started_at", "starts_at")


class Meeting(models.Model):
    body = models.ForeignKey(
        Body, verbose_name="cơ quan chủ trì", on_delete=models.PROTECT, related_name="meetings"
    )
    title = models.CharField("tên cuộc họp", max_length=500)
    kind = models.CharField(
        "hình thức", max_length=20, choices=MeetingKind.choices, default=MeetingKind.REGULAR
    )
    starts_at = models.DateTimeField("bắt đầu")
    ends_at = models.DateTimeField("dự kiến kết thúc")
    place = models.CharField("địa điểm", max_length=300)
    video_url = models.URLField("đường dẫn họp trực tuyến", blank=True)
    confidentiality = models.PositiveSmallIntegerField(
        "độ mật", choices=Clearance.choices, default=Clearance.NORMAL
    )
    status = models.CharField(
        "trạng thái", max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.DRAFT
    )
    description = models.TextField("nội dung", blank=True)
    invitation_number = models.CharField("số, ký hiệu giấy mời", max_length=50, blank=True)
    invitation_document = models.ForeignKey(
        "documents.Document",
        verbose_name="giấy mời",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agenda_document = models.ForeignKey(
        "documents.Document",
        verbose_name="chương trình",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invitations_sent_at = models.DateTimeField("gửi giấy mời lúc", null=True, blank=True)
    # When the chair actually opened the session: lists and statistics count a meeting on the
    # day it was held, which is not always the day it was scheduled.
    started_at = models.DateTimeField("bắt đầu thực tế", null=True, blank=True)
    cancel_reason = models.CharField("lý do hủy", max_length=500, blank=True)
    # Incremented on every change sent to participants: the .ics SEQUENCE.
    revision = models.PositiveIntegerField("lần cập nhật", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "cuộc họp"
        verbose_name_plural = "cuộc họp"
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["body", "starts_at"]),
            # "My meetings" and the documents grant read meetings across bodies in time order.
            models.Index(fields=["-starts_at"], name="meetings_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError(
                {"ends_at": gettext("Thời gian kết thúc phải sau thời gian bắt đầu.")}
            )

    @property
    def is_editable(self) -> bool:
        return self.status in {MeetingStatus.DRAFT, MeetingStatus.INVITED}


class AgendaItem(models.Model):
    """One item of the agenda tree; ``position`` orders siblings, numbers are derived."""

    meeting = models.ForeignKey(
        Meeting, verbose_name="cuộc họp", on_delete=models.CASCADE, related_name="agenda_items"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="thuộc mục",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    position = models.PositiveIntegerField("thứ tự", default=0)
    title = models.CharField("nội dung", max_length=500)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người trình bày",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    presenter_name = models.CharField(
        "người trình bày (ghi tên)",
        max_length=200,
        blank=True,
        help_text="Khi người trình bày không có tài khoản.",
    )
    planned_minutes = models.PositiveIntegerField("thời lượng dự kiến (phút)", default=0)
    description = models.TextField("mô tả", blank=True)
    documents = models.ManyToManyField(
        "documents.Document",
        verbose_name="tài liệu",
        through="AgendaDocument",
        related_name="agenda_items",
    )

    class Meta:
        verbose_name = "mục chương trình"
        verbose_name_plural = "mục chương trình"
        ordering = ["meeting", "parent_id", "position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def presenter_display(self) -> str:
        return self.presenter.full_name if self.presenter else self.presenter_name


class AgendaDocument(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE)
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "document"], name="agenda_document_once"),
        ]

    def __str__(self) -> str:
        return f"{self.item} — {self.document}"


class ParticipantRole(models.TextChoices):
    CHAIR = "chair", gettext_noop("Chủ trì")
    SECRETARY = "secretary", gettext_noop("Thư ký")
    VOTING = "voting", gettext_noop("Thành viên (có biểu quyết)")
    GUEST = "guest", gettext_noop("Khách mời (không biểu quyết)")
    OBSERVER = "observer", gettext_noop("Dự thính")


class Rsvp(models.TextChoices):
    PENDING = "pending", gettext_noop("Chưa trả lời")
    ATTENDING = "attending", gettext_noop("Tham dự")
    ABSENT = "absent", gettext_noop("Vắng mặt")
    SUBSTITUTE = "substitute", gettext_noop("Cử người dự thay")


class InvitedVia(models.TextChoices):
    BODY = "body", gettext_noop("Mời cả cơ quan")
    MEMBERSHIP = "membership", gettext_noop("Mời theo chức danh")
    INDIVIDUAL = "individual", gettext_noop("Mời cá nhân")
    SUBSTITUTE = "substitute", gettext_noop("Dự thay")


class AttendanceMode(models.TextChoices):
    IN_PERSON = "in_person", gettext_noop("Trực tiếp")
    REMOTE = "remote", gettext_noop("Trực tuyến")


class Participant(models.Model):
    """A person invited to a meeting.

    A substitute gets a row of their own with ``substitute_for`` pointing at the invitee; the
    invitee's row keeps ``rsvp = substitute``. The substitute holds the invitee's role (and so
    their vote) for this meeting.
    """

    meeting = models.ForeignKey(
        Meeting, verbose_name="cuộc họp", on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người dự",
        on_delete=models.PROTECT,
        related_name="participations",
    )
    role = models.CharField(
        "vai trò", max_length=20, choices=ParticipantRole.choices, default=ParticipantRole.VOTING
    )
    invited_via = models.CharField(
        "hình thức mời", max_length=20, choices=InvitedVia.choices, default=InvitedVia.INDIVIDUAL
    )
    invited_body = models.ForeignKey(
        Body,
        verbose_name="mời qua cơ quan",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rsvp = models.CharField("trả lời", max_length=20, choices=Rsvp.choices, default=Rsvp.PENDING)
    rsvp_at = models.DateTimeField("trả lời lúc", null=True, blank=True)
    absence_reason = models.CharField("lý do vắng", max_length=500, blank=True)
    substitute_for = models.OneToOneField(
        "self",
        verbose_name="dự thay cho",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="substitute",
    )
    # Attendance: the arrival as checked in; ``attendance_corrected`` marks a clerk's
    # correction so the minutes can say the record was amended, not self-reported.
    checked_in_at = models.DateTimeField("điểm danh lúc", null=True, blank=True)
    attendance_mode = models.CharField(
        "hình thức dự", max_length=20, choices=AttendanceMode.choices, blank=True
    )
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người điểm danh",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attendance_corrected = models.BooleanField("văn thư đã sửa điểm danh", default=False)

    class Meta:
        verbose_name = "người dự họp"
        verbose_name_plural = "người dự họp"
        ordering = ["meeting", "role", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="participant_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.meeting}"

    @property
    def can_vote(self) -> bool:
        return (
            self.role in {ParticipantRole.CHAIR, ParticipantRole.VOTING}
            and self.rsvp != Rsvp.SUBSTITUTE
        )
