"""Notices of the signing workflow: on screen at once, by e-mail after the commit."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from accounts.models import User, nfc
from signing.models import (
    SigningNotice,
    SigningRequest,
    SigningStep,
)


def notify(users: list[User], request: SigningRequest, message: str) -> None:
    """On screen now, by e-mail once the transaction has committed (never for a rollback)."""
    message = nfc(message)[:500]
    recipients = {user.pk: user for user in users if user is not None}
    SigningNotice.objects.bulk_create(
        SigningNotice(user=user, request=request, message=message) for user in recipients.values()
    )
    emails = [user.email for user in recipients.values() if user.email]
    if emails:
        subject = f"[KyHop] {message}"[:200]
        body = f"{message}\n\nVăn bản: {request.document}\n"
        transaction.on_commit(
            lambda: send_mail(
                subject, body, settings.DEFAULT_FROM_EMAIL, emails, fail_silently=True
            )
        )


def seal_clerks(step: SigningStep) -> list[User]:
    from accounts.models import Membership, Role

    bodies = [a.seal_body_id for a in step.assignees.all() if a.seal_body_id and not a.user_id]
    if not bodies:
        return []
    memberships = Membership.objects.filter(body_id__in=bodies, role=Role.CLERK)
    return [m.user for m in memberships.select_related("user")]
