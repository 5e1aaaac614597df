"""Distribution ("Nơi nhận") of an issued document to other bodies in KyHop, and the incoming
register (sổ văn bản đến, Decree 30 Art. 22) it fills: each receiving body gets its own copy
of the document, a number in order of arrival, and the signature validation of its file."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Body, Membership, Role, User
from background.outbox import mail_queue_plain
from documents.models import Document, DocumentStatus, IncomingEntry
from documents.register.selectors import register_bodies_for
from documents.register.services import register_body_of
from documents.selectors import document_visible_to
from documents.services import document_incoming_copy


def may_distribute(user: User, document: Document) -> bool:
    """Issued documents are sent by the clerks who keep the issuing body's register."""
    return (
        document.status == DocumentStatus.ISSUED
        and register_bodies_for(user).filter(pk=register_body_of(document)).exists()
    )


def distribution_targets(document: Document) -> list[Body]:
    """The bodies *document* can still be sent to: active, not its issuer, not sent yet."""
    sent = IncomingEntry.objects.filter(source=document).values("body_id")
    return list(
        Body.objects.filter(is_active=True)
        .exclude(pk=register_body_of(document))
        .exclude(pk__in=sent)
        .order_by("name")
    )


def document_distribute(
    *, actor: User, document: Document, bodies: Iterable[Body]
) -> list[IncomingEntry]:
    """Send *document* to *bodies*: one incoming copy and register line each, all or none."""
    if not may_distribute(actor, document):
        raise PermissionDenied(
            gettext("Chỉ văn thư của cơ quan ban hành mới gửi được văn bản đã ban hành.")
        )
    if not document.number:
        raise ValidationError(gettext("Văn bản chưa được cấp số nên chưa gửi đi được."))
    wanted = {body.pk: body for body in bodies}
    if not wanted:
        raise ValidationError({"bodies": gettext("Hãy chọn ít nhất một nơi nhận.")})
    allowed = {body.pk for body in distribution_targets(document)}
    refused = [body.name for pk, body in wanted.items() if pk not in allowed]
    if refused:
        raise ValidationError(
            {
                "bodies": gettext("Không gửi được tới: %(names)s (đã nhận rồi hoặc không hợp lệ).")
                % {"names": ", ".join(refused)}
            }
        )
    with transaction.atomic():
        entries = [
            _receive(actor=actor, document=document, body=body)
            for body in sorted(wanted.values(), key=lambda b: b.pk)
        ]
    return entries


def _receive(*, actor: User, document: Document, body: Body) -> IncomingEntry:
    # The receiving body's row is the lock: two documents arriving at once take numbers n+1
    # and n+2 of its register, never the same one.
    Body.objects.select_for_update().filter(pk=body.pk).first()
    year = timezone.localdate().year
    highest = IncomingEntry.objects.filter(body=body, year=year).aggregate(n=Max("number"))["n"]
    sender = document.issuing_body or document.owning_body
    copy = document_incoming_copy(
        actor=actor, source=document, body=body, note=gettext("Nhận từ %(name)s") % {"name": sender}
    )
    entry = IncomingEntry.objects.create(
        body=body,
        year=year,
        number=(highest or 0) + 1,
        document=copy,
        source=document,
        sender=sender,
        number_symbol=document.number_symbol,
        abstract=document.abstract,
        issued_on=document.issued_on,
        sent_by=actor,
    )
    _mail_clerks(entry)
    return entry


def _mail_clerks(entry: IncomingEntry) -> None:
    """The receiving body's clerks cleared to read it hear of it (after the commit)."""
    clerks = [
        m.user
        for m in Membership.objects.filter(body=entry.body, role=Role.CLERK).select_related("user")
        if m.user.is_active and document_visible_to(m.user, entry.document)
    ]
    if not clerks:
        return
    mail_queue_plain(
        topic=f"document:{entry.document_id}",
        purpose="incoming",
        subject=f"[KyHop] Văn bản đến số {entry.number}: {entry.number_symbol}"[:200],
        body=(
            f"{entry.sender} gửi {entry.body}: văn bản số {entry.number_symbol}"
            f" — {entry.abstract}\n\nĐã vào sổ văn bản đến số {entry.number}/{entry.year}.\n"
        ),
        users=clerks,
        key=f"incoming:{entry.pk}",
    )
