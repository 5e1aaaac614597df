"""Scrubbing the database files after a secret poll closes, so stored order links nobody.

While a secret poll is open its choice rows sit where they were written, in arrival order,
beside receipts and audit rows in that same order. ``poll_close`` rewrites them in a random
order; this module removes what the rewrite leaves behind in the files themselves:

- SQLite: ``secure_delete`` is on for every connection (settings), so deleted cells and freed
  pages are zeroed; a TRUNCATE checkpoint then copies the new pages into the main file and
  empties the WAL, which still held the page images written at cast time.
- PostgreSQL: the deleted rows stay on the table's pages as dead tuples (with the casting
  transaction's xmin, the same as the receipt's) until vacuumed; VACUUM FULL writes the table
  afresh with only the live, shuffled rows.

It runs after the close commits (neither command may run inside a transaction). Limits, as
docs/architecture.md says: PostgreSQL's WAL archive and backups taken while a poll was open
keep the arrival order; so do the file system's freed blocks.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection

from meetings.models import SecretChoice

logger = logging.getLogger(__name__)


def secret_storage_scrub() -> None:
    """Make the files forget the order secret choices arrived in (after a commit)."""
    try:
        if connection.vendor == "sqlite":
            _sqlite_checkpoint()
        elif connection.vendor == "postgresql":
            _postgresql_rewrite()
    except DatabaseError:
        # The poll is closed and counted; only the scrub failed (a lock held too long). The
        # operator must know: the next close retries it, and the log says which table.
        logger.exception("secret ballot storage scrub failed", extra={"table": _table()})


def _table() -> str:
    return SecretChoice._meta.db_table


def _sqlite_checkpoint() -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy, _log_frames, _done = cursor.fetchone()
    if busy:
        # Another process was reading: the WAL could not be emptied this time.
        logger.warning("secret ballot checkpoint incomplete: a reader held the WAL")


def _postgresql_rewrite() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM FULL {connection.ops.quote_name(_table())}")
