"""Meetings before they start: the meeting, its agenda tree, its participants and replies."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_noop

from accounts.models import Body, Clearance
from meetings.rules import DEFAULT_CONFIDENCE_FLAGS, Rule, rule_errors


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
            # "My meetings" in time order across bodies (issue 17: 20,000 meetings).
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
    # Added for issue 4 (attendance); kept beside Participant, which uses it.
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
    # Attendance (issue 4): the arrival as checked in; ``attendance_corrected`` marks a clerk's
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


# --- Rules, attendance and votes (issue 4) ---
# Values mirror the enums in meetings/rules.py (a test keeps them equal), so a stored rule turns
# into a pure ``rules.Rule`` without a translation table.


class RuleBase(models.TextChoices):
    ALL_MEMBERS = "all_members", gettext_noop("Tổng số thành viên")
    MEMBERS_PRESENT = "members_present", gettext_noop("Số thành viên có mặt")
    VOTES_CAST = "votes_cast", gettext_noop("Số phiếu biểu quyết (kể cả không biểu quyết)")


class RuleThreshold(models.TextChoices):
    MORE_THAN_HALF = "more_than_half", gettext_noop("Quá nửa (hơn 1/2)")
    AT_LEAST_TWO_THIRDS = "at_least_two_thirds", gettext_noop("Từ 2/3 trở lên")
    CUSTOM = "custom", gettext_noop("Tỷ lệ khác")


class RuleTiePolicy(models.TextChoices):
    CHAIR_DECIDES = "chair_decides", gettext_noop("Theo ý kiến người chủ trì đã biểu quyết")
    FAILS = "fails", gettext_noop("Không thông qua")


class EligibleVoters(models.TextChoices):
    PRESENT = "present", gettext_noop("Thành viên có biểu quyết đã điểm danh")
    ALL_MEMBERS = "all_members", gettext_noop("Mọi thành viên có biểu quyết (kể cả chưa điểm danh)")


def default_confidence_flags() -> list[dict[str, object]]:
    return [vars(flag).copy() for flag in DEFAULT_CONFIDENCE_FLAGS]


class VotingRule(models.Model):
    """A body's quorum and majority rule, edited by its clerk. Defaults follow the law on
    People's Committees: 2/3 of all members present, more than half of all members in favour,
    the chair's side wins a tie. Polls copy it when they open, so later edits never change a
    past result."""

    body = models.ForeignKey(
        Body, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="voting_rules"
    )
    name = models.CharField("tên quy chế", max_length=200, default="Quy chế biểu quyết")
    is_default = models.BooleanField("quy chế mặc định của cơ quan", default=True)
    quorum_numerator = models.PositiveSmallIntegerField("tỷ lệ có mặt tối thiểu: tử số", default=2)
    quorum_denominator = models.PositiveSmallIntegerField(
        "tỷ lệ có mặt tối thiểu: mẫu số", default=3
    )
    base = models.CharField(
        "tính trên", max_length=20, choices=RuleBase.choices, default=RuleBase.ALL_MEMBERS
    )
    threshold = models.CharField(
        "ngưỡng thông qua",
        max_length=30,
        choices=RuleThreshold.choices,
        default=RuleThreshold.MORE_THAN_HALF,
    )
    custom_numerator = models.PositiveSmallIntegerField("tỷ lệ khác: tử số", default=1)
    custom_denominator = models.PositiveSmallIntegerField("tỷ lệ khác: mẫu số", default=2)
    custom_strict = models.BooleanField("tỷ lệ khác: phải vượt (hơn) tỷ lệ", default=True)
    tie_policy = models.CharField(
        "khi số phiếu ngang nhau",
        max_length=20,
        choices=RuleTiePolicy.choices,
        default=RuleTiePolicy.CHAIR_DECIDES,
    )
    eligible_voters = models.CharField(
        "người được biểu quyết",
        max_length=20,
        choices=EligibleVoters.choices,
        default=EligibleVoters.PRESENT,
    )
    confidence_flags = models.JSONField(
        "ngưỡng tín nhiệm thấp",
        default=default_confidence_flags,
        blank=True,
        help_text='Danh sách {"numerator", "denominator", "strict", "label"} tính trên tổng số '
        "thành viên.",
    )
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "quy chế biểu quyết"
        verbose_name_plural = "quy chế biểu quyết"
        ordering = ["body__name", "-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["body"],
                condition=Q(is_default=True),
                name="voting_rule_one_default_per_body",
            ),
            models.CheckConstraint(
                condition=Q(quorum_denominator__gt=0)
                & Q(quorum_numerator__lte=models.F("quorum_denominator")),
                name="voting_rule_quorum_is_a_fraction",
            ),
            models.CheckConstraint(
                condition=Q(custom_denominator__gt=0)
                & Q(custom_numerator__lte=models.F("custom_denominator")),
                name="voting_rule_threshold_is_a_fraction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.body}" if self.body_id else self.name

    def as_rule(self) -> Rule:
        return Rule.from_json(self.snapshot())

    def snapshot(self) -> dict[str, object]:
        """What a poll copies at opening: the rule as plain JSON."""
        return {
            "name": self.name,
            "quorum_numerator": self.quorum_numerator,
            "quorum_denominator": self.quorum_denominator,
            "base": self.base,
            "threshold": self.threshold,
            "custom_numerator": self.custom_numerator,
            "custom_denominator": self.custom_denominator,
            "custom_strict": self.custom_strict,
            "tie_policy": self.tie_policy,
            "eligible_voters": self.eligible_voters,
            "confidence_flags": list(self.confidence_flags or []),
        }

    def clean(self) -> None:
        super().clean()
        try:
            errors = rule_errors(self.as_rule())
        except (TypeError, ValueError):
            raise ValidationError(
                {"confidence_flags": "Ngưỡng tín nhiệm thấp không hợp lệ."}
            ) from None
        if errors:
            raise ValidationError(errors)


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


class PollKind(models.TextChoices):
    YES_NO_ABSTAIN = (
        "yes_no_abstain",
        gettext_noop("Tán thành / Không tán thành / Không biểu quyết"),
    )
    ONE_OF_N = "one_of_n", gettext_noop("Chọn một phương án")
    SEVERAL_OF_N = "several_of_n", gettext_noop("Chọn nhiều phương án")
    CONFIDENCE = "confidence", gettext_noop("Lấy phiếu tín nhiệm")


class PollStatus(models.TextChoices):
    DRAFT = "draft", gettext_noop("Chuẩn bị")
    OPEN = "open", gettext_noop("Đang biểu quyết")
    CLOSED = "closed", gettext_noop("Đã kết thúc")


class Poll(models.Model):
    """A vote on an agenda item, or the question of a written consultation (no item).

    A confidence ballot rates one person (``subject_name``); several people → several polls.
    """

    body = models.ForeignKey(
        Body, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="polls"
    )
    item = models.ForeignKey(
        AgendaItem,
        verbose_name="mục chương trình",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="polls",
    )
    title = models.CharField("nội dung biểu quyết", max_length=500)
    subject_name = models.CharField("người được lấy phiếu tín nhiệm", max_length=200, blank=True)
    kind = models.CharField(
        "hình thức", max_length=20, choices=PollKind.choices, default=PollKind.YES_NO_ABSTAIN
    )
    secret = models.BooleanField("bỏ phiếu kín", default=False)
    status = models.CharField(
        "trạng thái", max_length=10, choices=PollStatus.choices, default=PollStatus.DRAFT
    )
    max_choices = models.PositiveSmallIntegerField("số phương án được chọn tối đa", default=1)
    show_live_tally = models.BooleanField("hiện kết quả trong khi biểu quyết", default=False)
    rule = models.ForeignKey(
        VotingRule,
        verbose_name="quy chế",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="polls",
    )
    rule_snapshot = models.JSONField("quy chế áp dụng (lưu khi mở)", null=True, blank=True)
    quorum_at_open = models.JSONField("số thành viên có mặt khi mở", null=True, blank=True)
    quorum_overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người cho biểu quyết khi chưa đủ số thành viên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    quorum_override_reason = models.TextField("lý do", blank=True)
    opened_at = models.DateTimeField("mở lúc", null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người mở",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người kết thúc",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.JSONField("kết quả", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "biểu quyết"
        verbose_name_plural = "biểu quyết"
        ordering = ["item_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_choices__gte=1), name="poll_max_choices_positive"
            ),
            models.CheckConstraint(
                condition=Q(quorum_overridden_by__isnull=True) | ~Q(quorum_override_reason=""),
                name="poll_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PollOption(models.Model):
    poll = models.ForeignKey(
        Poll, verbose_name="biểu quyết", on_delete=models.CASCADE, related_name="options"
    )
    # Stable key for results: "yes"/"no"/"abstain", "high"/"medium"/"low", or "1", "2"…
    key = models.SlugField("mã", max_length=50)
    label = models.CharField("phương án", max_length=300)
    position = models.PositiveIntegerField("thứ tự", default=0)

    class Meta:
        verbose_name = "phương án"
        verbose_name_plural = "phương án"
        ordering = ["poll", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "key"], name="poll_option_key_once"),
        ]

    def __str__(self) -> str:
        return self.label


class Ballot(models.Model):
    """A named ballot. One per voter and poll, enforced by the database, not by a check first.

    The voter is the user rather than the participant row so that written consultations (no
    meeting, no participants) use the same tables; within a meeting (meeting, user) is unique,
    so this is the same guarantee.
    """

    poll = models.ForeignKey(
        Poll, verbose_name="biểu quyết", on_delete=models.CASCADE, related_name="ballots"
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người biểu quyết",
        on_delete=models.PROTECT,
        related_name="+",
    )
    cast_at = models.DateTimeField("biểu quyết lúc")

    class Meta:
        verbose_name = "phiếu biểu quyết"
        verbose_name_plural = "phiếu biểu quyết"
        constraints = [
            models.UniqueConstraint(fields=["poll", "voter"], name="ballot_one_per_voter"),
        ]

    def __str__(self) -> str:
        return f"{self.voter} — {self.poll}"


class BallotChoice(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    option = models.ForeignKey(PollOption, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "option"], name="ballot_choice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id}: {self.option_id}"


class VoteReceipt(models.Model):
    """Who voted in a secret poll — and nothing about what they chose.

    The unique constraint is the one-ballot guard for secret polls: the receipt and the choices
    are written in one transaction, so a second receipt (and its choices) is rolled back whole.
    """

    poll = models.ForeignKey(
        Poll, verbose_name="biểu quyết", on_delete=models.CASCADE, related_name="receipts"
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người đã bỏ phiếu",
        on_delete=models.PROTECT,
        related_name="+",
    )
    cast_at = models.DateTimeField("bỏ phiếu lúc")

    class Meta:
        verbose_name = "xác nhận đã bỏ phiếu kín"
        verbose_name_plural = "xác nhận đã bỏ phiếu kín"
        constraints = [
            models.UniqueConstraint(fields=["poll", "voter"], name="receipt_one_per_voter"),
        ]

    def __str__(self) -> str:
        return f"{self.voter} — {self.poll}"


class SecretChoice(models.Model):
    """One option chosen on a secret ballot, with nothing that leads back to the voter.

    Deliberately absent: a voter or receipt key (the obvious link); an auto-increment id (its
    order would line up with receipts' ids and the audit log's sequence); a timestamp (it would
    line up with the receipt's ``cast_at``); an ordering. The primary key is a random UUID, so
    even sorting by it reveals nothing. Residual risk, documented rather than hidden: storage
    order (SQLite rowid, PostgreSQL ctid/xmin) follows insertion while a poll is open;
    ``poll_close`` rewrites the poll's rows in random order so closed polls lose even that.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="secret_choices")
    option = models.ForeignKey(PollOption, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "lựa chọn trong phiếu kín"
        verbose_name_plural = "lựa chọn trong phiếu kín"

    def __str__(self) -> str:
        return f"{self.poll_id}: {self.option_id}"


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", gettext_noop("Chuẩn bị")
    SENT = "sent", gettext_noop("Đang lấy ý kiến")
    CLOSED = "closed", gettext_noop("Đã tổng hợp")


class Consultation(models.Model):
    """Written consultation (phiếu lấy ý kiến) of a body's members, outside a meeting."""

    body = models.ForeignKey(
        Body, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="consultations"
    )
    title = models.CharField("nội dung lấy ý kiến", max_length=500)
    description = models.TextField("thuyết minh", blank=True)
    deadline = models.DateTimeField("hạn trả lời")
    poll = models.OneToOneField(
        Poll, verbose_name="phiếu", on_delete=models.PROTECT, related_name="consultation"
    )
    status = models.CharField(
        "trạng thái",
        max_length=10,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.DRAFT,
    )
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    last_reminded_at = models.DateTimeField("nhắc lần cuối lúc", null=True, blank=True)
    closed_at = models.DateTimeField("tổng hợp lúc", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "phiếu lấy ý kiến"
        verbose_name_plural = "phiếu lấy ý kiến"
        ordering = ["-deadline"]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return self.title


class ConsultationRecipient(models.Model):
    """The members asked, fixed when the consultation is sent (later joiners are not asked)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="recipients"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notified_at = models.DateTimeField("gửi thư lúc", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "user"], name="consultation_recipient_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} — {self.consultation_id}"


# --- Live meeting (issue 4) ---
# The state every screen follows during a meeting. One row per meeting holds the sequence number
# of its live events: it is incremented in the same transaction as the change it announces, so
# two processes can never hand out the same number, and a client that sees a gap knows it missed
# something.


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


# --- Minutes (issue 7) ---
# The record a meeting leaves: drafted minutes (versions kept), the signed minutes and the
# conclusion notice as documents going through signing requests, vote-result sheets, and the
# meeting's work record. Rendering and the services live in meetings/minutes.py.


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", gettext_noop("Dự thảo")
    IN_SIGNING = "in_signing", gettext_noop("Đang trình ký")
    SIGNED = "signed", gettext_noop("Đã ký")
    SUPERSEDED = "superseded", gettext_noop("Đã thay bằng bản sau")


class MinutesDraft(models.Model):
    """One version of a meeting's minutes: structured JSON (see meetings/minutes.py).

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
