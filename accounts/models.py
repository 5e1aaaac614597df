"""Bodies (cơ quan) as a tree, people, and their memberships."""

from __future__ import annotations

import unicodedata

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_noop


def nfc(value: str) -> str:
    """Vietnamese names arrive in NFD from some keyboards and files; store NFC only."""
    return unicodedata.normalize("NFC", value or "").strip()


class Clearance(models.IntegerChoices):
    """Confidentiality levels a person may read (độ mật), ordered so comparisons work: a
    person reads a level only with a clearance at or above it. Meetings use these three."""

    NORMAL = 0, gettext_noop("Thường")
    SECRET = 1, gettext_noop("Mật")
    TOP_SECRET = 2, gettext_noop("Tối mật")


class Secrecy(models.IntegerChoices):
    """All the confidentiality marks of the Law on Protection of State Secrets (Decree 30
    marks on a document), the same values as ``Clearance`` plus the highest: documents and
    people's clearances have all four, so ``confidentiality <= clearance`` stays the rule."""

    NORMAL = 0, gettext_noop("Thường")
    SECRET = 1, gettext_noop("Mật")
    TOP_SECRET = 2, gettext_noop("Tối mật")
    ABSOLUTE_SECRET = 3, gettext_noop("Tuyệt mật")


class User(AbstractUser):
    """A person. ``full_name`` is the whole Vietnamese name, family name first."""

    full_name = models.CharField("họ và tên", max_length=200)
    position = models.CharField("chức vụ", max_length=200, blank=True)
    phone = models.CharField("điện thoại", max_length=30, blank=True)
    clearance = models.PositiveSmallIntegerField(
        "được đọc tài liệu mật đến mức",
        choices=Secrecy.choices,
        default=Secrecy.NORMAL,
    )

    # The stubs type the inherited manager as UserManager[Self]; this one is the same class.
    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"
        ordering = ["full_name", "username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        # Vietnamese people are addressed by the last word of the name (Nguyễn Văn An → An).
        return (self.full_name.split() or [self.username])[-1]

    def clean(self) -> None:
        super().clean()
        self.full_name = nfc(self.full_name)
        self.position = nfc(self.position)


class BodyKind(models.TextChoices):
    PROVINCE_COMMITTEE = "province_committee", gettext_noop("UBND tỉnh")
    PROVINCE_COUNCIL = "province_council", gettext_noop("HĐND tỉnh")
    DEPARTMENT = "department", gettext_noop("Sở, ban, ngành")
    DISTRICT_COMMITTEE = "district_committee", gettext_noop("UBND huyện, thị xã, thành phố")
    DISTRICT_COUNCIL = "district_council", gettext_noop("HĐND huyện")
    COMMUNE_COMMITTEE = "commune_committee", gettext_noop("UBND xã, phường")
    COMMUNE_COUNCIL = "commune_council", gettext_noop("HĐND xã")
    UNIT = "unit", gettext_noop("Phòng, đơn vị")
    OTHER = "other", gettext_noop("Khác")


class Body(models.Model):
    """A public body. ``symbol`` is the short form used in document numbers (UBND, STTTT)."""

    code = models.SlugField("mã", max_length=50, unique=True)
    name = models.CharField("tên cơ quan", max_length=300)
    symbol = models.CharField("ký hiệu", max_length=30)
    kind = models.CharField("loại", max_length=30, choices=BodyKind.choices, default=BodyKind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name="cơ quan cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    place_name = models.CharField(
        "địa danh",
        max_length=100,
        blank=True,
        help_text="Dùng trong dòng địa danh, ngày tháng của văn bản (ví dụ: Bắc Ninh).",
    )
    total_members = models.PositiveIntegerField(
        "tổng số thành viên",
        default=0,
        help_text="Dùng để tính số thành viên tối thiểu có mặt và tỷ lệ biểu quyết.",
    )
    is_active = models.BooleanField("đang hoạt động", default=True)

    class Meta:
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        self.name = nfc(self.name)
        self.symbol = nfc(self.symbol)
        if self.parent_id is not None and self.pk is not None:
            node: Body | None = self.parent
            hops = 0
            while node is not None and hops < 64:
                if node.pk == self.pk:
                    raise ValidationError(
                        {
                            "parent": "Không thể chọn cơ quan này (hoặc cơ quan cấp dưới của nó) "
                            "làm cơ quan cấp trên của chính nó."
                        }
                    )
                node = node.parent
                hops += 1

    def ancestors(self) -> list[Body]:
        """From the parent up to the root. Bounded, so a corrupt cycle cannot loop forever."""
        chain: list[Body] = []
        node = self.parent
        while node is not None and len(chain) < 64:
            chain.append(node)
            node = node.parent
        return chain


class Role(models.TextChoices):
    CHAIR = "chair", gettext_noop("Chủ tịch / Chủ trì")
    VICE_CHAIR = "vice_chair", gettext_noop("Phó Chủ tịch")
    MEMBER = "member", gettext_noop("Thành viên")
    CLERK = "clerk", gettext_noop("Văn thư")
    SECRETARY = "secretary", gettext_noop("Thư ký")


class Membership(models.Model):
    """A person's place in a body. ``counts_as_member`` says whether it counts for the quorum."""

    user = models.ForeignKey(
        User, verbose_name="người", on_delete=models.CASCADE, related_name="memberships"
    )
    body = models.ForeignKey(
        Body, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("vai trò", max_length=20, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        verbose_name = "thành viên cơ quan"
        verbose_name_plural = "thành viên cơ quan"
        ordering = ["body__name", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "body"], name="membership_one_per_body"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.body}"

    @property
    def counts_as_member(self) -> bool:
        return self.role in {Role.CHAIR, Role.VICE_CHAIR, Role.MEMBER}
