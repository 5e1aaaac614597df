"""After a secret poll closes, the database files cannot order its choices by voter.

Receipts and the audit log record who voted in which order; choice rows written in that same
order would pair each choice with a voter. Each choice row carries a random UUID: the rows
written while ballots arrived (in arrival order) must be gone from every byte of the files —
SQLite's main file and WAL, PostgreSQL's table and index pages, dead tuples included — and the
rows left must not stand in arrival order.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.db import connection

from meetings.models import PollKind, PollOption, SecretChoice, VoteReceipt
from meetings.voting.ballots import ballot_cast, poll_close, poll_create, poll_open

VOTERS = 30
TABLE = SecretChoice._meta.db_table


def _secret_poll_cast(room, voters):
    everyone = [room.chair_participant, *voters(VOTERS - 1)]
    poll = poll_create(
        actor=room.clerk,
        item=room.item,
        title="Lấy phiếu tín nhiệm",
        kind=PollKind.CONFIDENCE,
        secret=True,
    )
    poll = poll_open(actor=room.chair, poll=poll)
    options = dict(PollOption.objects.filter(poll=poll).values_list("key", "pk"))
    for n, participant in enumerate(everyone):
        key = ["high", "medium", "low"][(n * n) % 3]
        ballot_cast(actor=participant.user, poll=poll, option_ids=[options[key]])
    return poll


def _rows_in_storage_order(poll) -> list[tuple[str, int]]:
    order = "rowid" if connection.vendor == "sqlite" else "ctid"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, option_id FROM {TABLE} WHERE poll_id = %s ORDER BY {order}",  # noqa: S608 - constant names
            [poll.pk],
        )
        return [(str(row[0]).replace("-", ""), row[1]) for row in cursor.fetchall()]


def _assert_rows_rewritten(before, after) -> None:
    assert sorted(option for _id, option in before) == sorted(option for _id, option in after)
    assert not {pk for pk, _o in before} & {pk for pk, _o in after}
    # 30 choices in three groups: the arrival order comes back by chance once in ~10^12.
    assert [option for _id, option in after] != [option for _id, option in before]


@pytest.mark.django_db(transaction=True)
def test_sqlite_main_file_and_wal_forget_the_arrival_order(room, voters):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite files only")
    poll = _secret_poll_cast(room, voters)
    before = _rows_in_storage_order(poll)
    assert len(before) == VOTERS
    database = Path(connection.settings_dict["NAME"])
    wal = database.with_name(database.name + "-wal")
    assert any(pk.encode() in wal.read_bytes() for pk, _o in before)  # what is at stake

    poll_close(actor=room.chair, poll=poll)

    after = _rows_in_storage_order(poll)
    _assert_rows_rewritten(before, after)
    files = database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    left = [pk for pk, _o in before if pk.encode() in files]
    assert left == [], "rows written in arrival order survive in the database files"
    assert not wal.exists() or wal.stat().st_size == 0


def _pages(cursor, relation: str) -> list[bytes]:
    cursor.execute(
        "SELECT get_raw_page(%s, n) FROM generate_series(0, "
        "(pg_relation_size(%s) / current_setting('block_size')::int) - 1) AS n",
        [relation, relation],
    )
    return [bytes(row[0]) for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_postgresql_pages_and_dead_tuples_forget_the_arrival_order(room, voters):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL pages only")
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
    poll = _secret_poll_cast(room, voters)
    before = _rows_in_storage_order(poll)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text FROM {VoteReceipt._meta.db_table}")  # noqa: S608
        receipt_xmins = {int(row[0]) for row in cursor.fetchall()}

    poll_close(actor=room.chair, poll=poll)

    _assert_rows_rewritten(before, _rows_in_storage_order(poll))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t_xmin::text FROM generate_series(0, "
            "(pg_relation_size(%s) / current_setting('block_size')::int) - 1) AS n, "
            "heap_page_items(get_raw_page(%s, n)) WHERE t_xmin IS NOT NULL",
            [TABLE, TABLE],
        )
        tuple_xmins = [int(row[0]) for row in cursor.fetchall()]
        # Every tuple on the pages, dead or alive: one per live choice, none from a cast.
        assert len(tuple_xmins) == VOTERS
        assert not set(tuple_xmins) & receipt_xmins
        cursor.execute(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass",
            [TABLE],
        )
        relations = [TABLE, *(row[0] for row in cursor.fetchall())]
        raw = b"".join(page for relation in relations for page in _pages(cursor, relation))
    left = [pk for pk, _o in before if uuid.UUID(pk).bytes in raw]
    assert left == [], "rows written in arrival order survive in the table's pages"
