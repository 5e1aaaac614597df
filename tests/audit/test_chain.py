"""The audit log is a hash chain: every edit, removal or insertion is found and named."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from audit.services import GENESIS_HASH, audit_chain_verify, audit_record
from tests.audit.helpers import audit_tamper


def _record_three() -> list[AuditEvent]:
    return [
        audit_record(actor=None, verb="test.one", details={"tên": "Nguyễn Văn Á"}),
        audit_record(actor=None, verb="test.two", object_type="x", object_id="7"),
        audit_record(actor=None, verb="test.three", details={"n": 3}),
    ]


@pytest.mark.django_db
def test_events_link_to_their_predecessor():
    first, second, third = _record_three()
    assert first.seq == 1 and first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3


@pytest.mark.django_db
def test_intact_chain_verifies_and_command_succeeds(capsys):
    _record_three()
    report = audit_chain_verify()
    assert report.ok and report.checked == 3
    call_command("audit_verify")
    assert "3 mục" in capsys.readouterr().out


@pytest.mark.django_db
def test_edited_details_are_named_by_the_command():
    _record_three()
    audit_tamper("UPDATE audit_auditevent SET details = %s WHERE seq = 2", ['{"forged": true}'])
    report = audit_chain_verify()
    assert report.first_break is not None and report.first_break.seq == 2
    with pytest.raises(CommandError, match="#2"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_edited_and_rehashed_row_breaks_the_next_link():
    events = _record_three()
    audit_tamper(
        "UPDATE audit_auditevent SET verb = %s, hash = %s WHERE seq = 1", ["test.forged", "f" * 64]
    )
    report = audit_chain_verify()
    # Row 1 no longer matches its own hash; an attacker who fixes that breaks row 2's link.
    assert report.first_break.seq == 1
    assert events[1].prev_hash != "f" * 64


@pytest.mark.django_db
def test_removed_row_is_reported_as_missing():
    _record_three()
    audit_tamper("DELETE FROM audit_auditevent WHERE seq = 2", [])
    report = audit_chain_verify()
    assert report.first_break.seq == 2
    assert "thiếu" in report.first_break.reason


@pytest.mark.django_db
def test_inserted_row_is_found():
    first, _second, _third = _record_three()
    # Shift the tail up and slip a forged row in at #2 with a self-consistent hash.
    audit_tamper("UPDATE audit_auditevent SET seq = seq + 100 WHERE seq >= 2", [])
    forged = AuditEvent(
        seq=2,
        at=first.at,
        actor_label="kẻ giả mạo",
        verb="forged",
        details={},
        prev_hash=first.hash,
    )
    from audit.services import event_digest

    forged.hash = event_digest(forged)
    forged.save(force_insert=True)
    report = audit_chain_verify()
    assert report.first_break is not None
    assert report.first_break.seq in {3, 102}


@pytest.mark.django_db
def test_diacritics_hash_the_same_in_nfc_and_nfd():
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Trần Thị Thu Hà")
    event = audit_record(actor=None, verb="test.nfc", details={"name": nfd})
    event.refresh_from_db()
    assert event.details["name"] == unicodedata.normalize("NFC", nfd)
    assert audit_chain_verify().ok


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgresql_refuses_update_and_delete_of_audit_rows():
    event = audit_record(actor=None, verb="test.locked")
    for statement in (
        "UPDATE audit_auditevent SET verb = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).verb == "test.locked"
