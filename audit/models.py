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


class AuditCheckpoint(models.Model):
    """A point up to which ``audit_verify`` found the chain intact, so the next run may start
    there instead of at the first event.

    Why this cannot hide tampering:

    - ``hash`` is the hash of event ``seq``, and every event's hash covers the previous one's,
      so it commits to the whole chain before it. Rewriting history before the checkpoint
      *and* re-hashing the rows after it to keep the links changes that hash: the next
      incremental run, which starts by comparing event ``seq`` with ``hash`` and recomputing
      its digest, reports it. Deleting the tail back past a checkpoint leaves its ``seq``
      missing, which is reported too.
    - An edit before the checkpoint that leaves the hashes alone (the edited row no longer
      matches its own hash) is not re-read by an incremental run: ``audit_verify --full``
      re-reads everything from the first event, and it also checks every checkpoint against
      the chain it walked. Run it on a schedule (e.g. weekly) beside the daily incremental run.
    - ``signature`` is an HMAC of the row keyed by the server's SECRET_KEY: somebody who can
      write to the database but does not hold the key cannot add a checkpoint that skips
      their edits. A checkpoint whose signature does not verify is ignored (and reported).
    - Rows are written once, by the command; on PostgreSQL a trigger refuses UPDATE and
      DELETE, as for the events.
    """

    seq = models.PositiveBigIntegerField("đến mục số", unique=True)
    hash = models.CharField("mã băm của mục đó", max_length=64)
    verified_at = models.DateTimeField("kiểm tra lúc")
    checked = models.PositiveBigIntegerField("số mục đã kiểm tra trong lần đó")
    full = models.BooleanField("kiểm tra từ mục đầu tiên")
    signature = models.CharField("chữ ký HMAC", max_length=64)

    class Meta:
        ordering = ["-seq"]
        verbose_name = "điểm kiểm tra chuỗi nhật ký"
        verbose_name_plural = "điểm kiểm tra chuỗi nhật ký"

    def __str__(self) -> str:
        return f"#{self.seq} ({self.verified_at:%Y-%m-%d %H:%M})"
