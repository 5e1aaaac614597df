"""The append-only, hash-chained event log."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One recorded action. Rows are written once by ``audit.services.audit_record``.

    ``seq`` numbers the chain without gaps; ``prev_hash`` is the previous row's ``hash``; ``hash``
    is SHA-256 over the canonical encoding of this row's content and ``prev_hash``. An edited row
    no longer matches its hash, a removed row leaves a gap, an inserted row breaks the next link.
    """

    seq = models.PositiveBigIntegerField("số thứ tự", unique=True)
    at = models.DateTimeField("thời điểm")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        null=True,
        blank=True,
        # Rows are never updated, so deleting a user must not touch them: no cascade, no SET NULL,
        # no database constraint; actor_label keeps who it was.
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField("người thực hiện (lưu tại thời điểm ghi)", max_length=300)
    verb = models.CharField("hành động", max_length=100)
    object_type = models.CharField("loại đối tượng", max_length=100, blank=True)
    object_id = models.CharField("mã đối tượng", max_length=100, blank=True)
    details = models.JSONField("chi tiết", default=dict, blank=True)
    prev_hash = models.CharField("mã băm trước", max_length=64)
    hash = models.CharField("mã băm", max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = "sự kiện kiểm toán"
        verbose_name_plural = "sự kiện kiểm toán"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb} {self.object_type}:{self.object_id}"
