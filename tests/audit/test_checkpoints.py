"""Incremental chain checks: verified checkpoints, and why they cannot hide tampering."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit.models import AuditCheckpoint, AuditEvent
from audit.services import audit_chain_verify, audit_record, event_digest


def _record(count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        audit_record(actor=None, verb="test.event", details={"n": n, "tên": "Lê Thị Hồng"})


def _tamper(sql: str, params: list) -> None:
    """Change rows behind the application's back, as a DBA with write access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # triggers off
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def _rechain_from(seq: int) -> None:
    """Recompute every hash and link from *seq* on, as a careful forger would."""
    events = list(AuditEvent.objects.filter(seq__gte=seq - 1).order_by("seq"))
    previous = events[0]
    for event in events[1:]:
        event.prev_hash = previous.hash
        event.hash = event_digest(event)
        _tamper(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s",
            [event.prev_hash, event.hash, event.seq],
        )
        previous = event


@pytest.mark.django_db
def test_a_checkpoint_is_recorded_and_the_next_run_starts_after_it(capsys):
    _record(5)
    call_command("audit_verify")
    checkpoint = AuditCheckpoint.objects.get()
    assert checkpoint.seq == 5 and checkpoint.full
    _record(3, start=5)
    report = audit_chain_verify(from_checkpoint=True, record_checkpoint=True)
    assert report.ok and report.started_after == 5 and report.checked == 3
    assert AuditCheckpoint.objects.order_by("-seq").first().seq == 8
    call_command("audit_verify")
    assert "từ sau điểm kiểm tra #8" in capsys.readouterr().out


@pytest.mark.django_db
def test_an_edited_row_after_the_checkpoint_is_named_by_the_incremental_run():
    _record(4)
    call_command("audit_verify")
    _record(4, start=4)
    _tamper("UPDATE audit_auditevent SET details = %s WHERE seq = 6", ['{"n": 99}'])
    with pytest.raises(CommandError, match="#6"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_an_edited_row_before_the_checkpoint_is_named_by_full():
    _record(6)
    call_command("audit_verify")
    _tamper("UPDATE audit_auditevent SET details = %s WHERE seq = 2", ['{"n": 99}'])
    # The incremental run only re-reads the checkpoint's own event: this edit is --full's job.
    assert audit_chain_verify(from_checkpoint=True).ok
    with pytest.raises(CommandError, match=r"#2 .*đã bị sửa"):
        call_command("audit_verify", "--full")


@pytest.mark.django_db
def test_rewritten_history_before_the_checkpoint_is_found_by_the_incremental_run():
    _record(6)
    call_command("audit_verify")
    _tamper("UPDATE audit_auditevent SET details = %s WHERE seq = 3", ['{"n": 99}'])
    _rechain_from(3)  # every link holds again, but the checkpoint's event hash changed
    with pytest.raises(CommandError, match=r"#6 .*viết lại"):
        call_command("audit_verify")
    # Every row is self-consistent again, so only the checkpoint can tell; --full says so too.
    report = audit_chain_verify()
    assert report.first_break is not None and report.first_break.seq == 6
    assert "viết lại" in report.first_break.reason


@pytest.mark.django_db
def test_a_tail_deleted_back_past_the_checkpoint_is_reported():
    _record(6)
    call_command("audit_verify")
    _tamper("DELETE FROM audit_auditevent WHERE seq >= 5", [])
    with pytest.raises(CommandError, match=r"#6 .*không còn"):
        call_command("audit_verify")
    with pytest.raises(CommandError, match=r"#6 .*không còn"):
        call_command("audit_verify", "--full")


@pytest.mark.django_db
def test_a_forged_checkpoint_is_ignored_so_the_edit_is_still_found(capsys):
    _record(6)
    _tamper("UPDATE audit_auditevent SET details = %s WHERE seq = 2", ['{"n": 99}'])
    last = AuditEvent.objects.get(seq=6)
    AuditCheckpoint.objects.create(
        seq=6, hash=last.hash, verified_at=last.at, checked=6, full=True, signature="0" * 64
    )
    with pytest.raises(CommandError, match="#2"):
        call_command("audit_verify")
    assert "chữ ký không hợp lệ" in capsys.readouterr().err


@pytest.mark.django_db
def test_a_checkpoint_signed_with_the_previous_key_still_counts(settings):
    _record(3)
    call_command("audit_verify")
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "n" * 60, [old]
    report = audit_chain_verify(from_checkpoint=True)
    assert report.ok and report.started_after == 3 and not report.ignored_checkpoints


@pytest.mark.django_db
def test_no_checkpoint_flag_leaves_none():
    _record(2)
    call_command("audit_verify", "--no-checkpoint")
    assert not AuditCheckpoint.objects.exists()
