"""Taking a number from the outgoing register (Decree 30 Art. 15.3).

A number is taken inside the caller's transaction: if the numbering around it fails, the
counter rolls back with it, so a number is never skipped; the counter row is locked
(``select_for_update``) while it is taken, so two clerks numbering at once never share one.
SQLite serialises writers by itself (transactions are ``IMMEDIATE``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from accounts.models import User
from audit.services import audit_record
from documents.models import Document, OutgoingCounter, OutgoingEntry


def register_format(number: int) -> str:
    """Decree 30, Appendix I: a number below 10 is written with a leading zero (01, 02…)."""
    return f"{number:02d}"


def register_body_of(document: Document) -> int:
    return document.issuing_body_id or document.owning_body_id


@transaction.atomic
def register_number_take(
    *, actor: User, document: Document, issued_on: date, signer_name: str = ""
) -> OutgoingEntry:
    """The next number of *document*'s register (its issuing body, type and the year of
    *issued_on*), written on the document and entered in the register."""
    body_id = register_body_of(document)
    key: dict[str, Any] = {
        "body_id": body_id,
        "doc_type": document.doc_type,
        "year": issued_on.year,
    }
    # get_or_create survives a concurrent first number (it retries the read on the unique
    # constraint); the lock below is what orders the clerks.
    OutgoingCounter.objects.get_or_create(**key)
    counter = OutgoingCounter.objects.select_for_update().get(**key)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    document.number = register_format(counter.last_number)
    document.issued_on = issued_on
    document.full_clean()
    document.save(update_fields=["number", "issued_on", "updated_at"])
    entry = OutgoingEntry.objects.create(
        **key,
        number=counter.last_number,
        document=document,
        number_symbol=document.number_symbol,
        abstract=document.abstract,
        issued_on=issued_on,
        signer_name=signer_name or document.signer_name,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        verb="documents.register_numbered",
        target=document,
        details={
            "body": body_id,
            "doc_type": document.doc_type,
            "year": issued_on.year,
            "number": counter.last_number,
            "number_symbol": entry.number_symbol,
            "issued_on": issued_on,
        },
    )
    return entry
