"""Plain helpers of the audit tests, shared with other apps' tests of the chain."""

from __future__ import annotations

from django.db import connection


def audit_tamper(sql: str, params: list) -> None:
    """Change audit rows behind the application's back, as a DBA with write access could
    (on PostgreSQL the append-only trigger is switched off for the statement)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")
