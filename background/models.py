"""The mail outbox: one row per message and recipient, so no mail is lost or sent twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class MailStatus(models.TextChoices):
    QUEUED = "queued", "Đang chờ gửi"
    SENT = "sent", "Đã gửi"
    RETRYING = "retrying", "Đang gửi lại"
    FAILED = "failed", "Gửi không được"


class OutboxMail(models.Model):
    # What the mail is about ("meeting:12", "signing-request:5"): pages list their mail by it.
    topic = models.CharField(max_length=64, db_index=True)
    purpose = models.CharField(max_length=32)
    # Set for mail that must go once only (a reminder at a given offset): a second run of the
    # schedule finds the row and queues nothing.
    key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    address = models.EmailField()
    subject = models.CharField(max_length=255)
    # The function that builds the message when it is sent (attachments are read then, not
    # copied into the outbox), and its JSON arguments.
    builder = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=MailStatus, default=MailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.address}: {self.subject}"
