"""Notices of the signing workflow: on screen at once, by e-mail after the commit."""

from __future__ import annotations

from accounts.models import User, nfc
from background.outbox import mail_queue_plain
from documents.selectors import document_visible_to
from signing.models import (
    SigningNotice,
    SigningRequest,
    SigningStep,
)


def notify(
    users: list[User],
    request: SigningRequest,
    message: str,
    *,
    purpose: str = "notice",
    key: str = "",
) -> None:
    """On screen now, by e-mail once the transaction has committed (never for a rollback).
    A *key* makes the mail go once per person for that key, however often this is called."""
    message = nfc(message)[:500]
    recipients = {user.pk: user for user in users if user is not None}
    SigningNotice.objects.bulk_create(
        SigningNotice(user=user, request=request, message=message) for user in recipients.values()
    )
    # Mail only to those who may open the document it names (its clearance included); the
    # outbox sends it from the worker once this transaction has committed.
    readers = [
        u for u in recipients.values() if u.email and document_visible_to(u, request.document)
    ]
    if readers:
        mail_queue_plain(
            topic=f"signing-request:{request.pk}",
            purpose=purpose,
            subject=f"[KyHop] {message}"[:200],
            body=f"{message}\n\nVăn bản: {request.document}\n",
            users=readers,
            key=key,
        )


def seal_clerks(step: SigningStep) -> list[User]:
    from accounts.models import Membership, Role

    bodies = [a.seal_body_id for a in step.assignees.all() if a.seal_body_id and not a.user_id]
    if not bodies:
        return []
    memberships = Membership.objects.filter(body_id__in=bodies, role=Role.CLERK)
    return [m.user for m in memberships.select_related("user")]
