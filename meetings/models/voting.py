"""Votes: a body's voting rule, polls and their options, named and secret ballots, and written
consultations (one or several questions, each a poll, sent to a body's members outside a
meeting).

Rule values mirror the enums in meetings/voting/rules.py (a test keeps them equal), so a
stored rule turns into a pure ``rules.Rule`` without a translation table.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop

from accounts.models import Body, Clearance
from meetings.models.meeting import AgendaItem
from meetings.voting.rules import DEFAULT_CONFIDENCE_FLAGS, Rule, rule_errors


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
    """Written consultation (phiếu lấy ý kiến) of a body's members, outside a meeting: an ordered
    list of questions (``ConsultationQuestion``), all answered in one submission."""

    body = models.ForeignKey(
        Body, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="consultations"
    )
    title = models.CharField("nội dung lấy ý kiến", max_length=500)
    description = models.TextField("thuyết minh", blank=True)
    deadline = models.DateTimeField("hạn trả lời")
    # Who may be asked and mailed: only members cleared for this level (and for the attached
    # documents' level, see meetings/voting/consultations.py ``consultation_level``).
    confidentiality = models.PositiveSmallIntegerField(
        "độ mật", choices=Clearance.choices, default=Clearance.NORMAL
    )
    # One setting for every question: each question's poll copies it (ballots read the poll's).
    secret = models.BooleanField("phiếu kín", default=False)
    # Chosen from the body's own documents; each reader still sees only what they are cleared for.
    documents = models.ManyToManyField(
        "documents.Document", verbose_name="tài liệu kèm theo", blank=True, related_name="+"
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


class ConsultationQuestion(models.Model):
    """One question of a consultation, numbered from 1 in ``order``; its poll holds the kind,
    the options, the ballots and the result. Added, edited, moved and removed only in a draft."""

    consultation = models.ForeignKey(
        Consultation,
        verbose_name="phiếu lấy ý kiến",
        on_delete=models.CASCADE,
        related_name="questions",
    )
    poll = models.OneToOneField(
        Poll,
        verbose_name="câu hỏi",
        on_delete=models.PROTECT,
        related_name="consultation_question",
    )
    order = models.PositiveSmallIntegerField("số thứ tự")

    class Meta:
        verbose_name = "câu hỏi lấy ý kiến"
        verbose_name_plural = "câu hỏi lấy ý kiến"
        ordering = ["consultation", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "order"], name="consultation_question_order_once"
            ),
            models.CheckConstraint(
                condition=Q(order__gte=1), name="consultation_question_order_from_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.poll_id}"
