"""Rows in batches: ``COPY … FROM STDIN`` on PostgreSQL, multi-row INSERTs on SQLite.

Ids are allocated here (from the table's current maximum), so rows can point at each other
before anything is written; the sequences are moved past them at the end.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models

BATCH = 20_000


def json_text(value: Any) -> str:
    """JSON as the database stores it for a JSONField (compact, UTF-8 kept)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise TypeError(f"{model.__name__}.{name} is not a column (a reverse relation?)")
    return field.column


class Table:
    """One table's pending rows, in the column order given."""

    def __init__(self, writer: Writer, model: type[models.Model], fields: list[str]) -> None:
        self.writer = writer
        self.model = model
        self.db_table = model._meta.db_table
        self.columns = [_column(model, name) for name in fields]
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def add(self, *row: Any) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        if connection.vendor == "postgresql":
            self._copy()
        else:
            self._insert()
        self.written += len(self.rows)
        self.rows = []

    def _copy(self) -> None:
        columns = ", ".join(f'"{c}"' for c in self.columns)
        raw = connection.connection
        # Table and column names come from the models, never from input.
        sql = f'COPY "{self.db_table}" ({columns}) FROM STDIN'
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in self.rows:
                copy.write_row(row)

    def _insert(self) -> None:
        adapt = [tuple(_sqlite_value(v) for v in row) for row in self.rows]
        marks = ", ".join(["%s"] * len(self.columns))
        columns = ", ".join(f'"{c}"' for c in self.columns)
        sql = f'INSERT INTO "{self.db_table}" ({columns}) VALUES ({marks})'  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, adapt)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


class Writer:
    """The tables of one seed run and their id counters."""

    def __init__(self) -> None:
        self.tables: dict[tuple[type[models.Model], tuple[str, ...]], Table] = {}
        self._next: dict[type[models.Model], int] = {}

    def table(self, model: type[models.Model], fields: list[str]) -> Table:
        key = (model, tuple(fields))
        if key not in self.tables:
            self.tables[key] = Table(self, model, fields)
        return self.tables[key]

    def new_id(self, model: type[models.Model]) -> int:
        if model not in self._next:
            highest = model._default_manager.aggregate(m=models.Max("pk"))["m"] or 0
            self._next[model] = highest + 1
        value = self._next[model]
        self._next[model] = value + 1
        return value

    def flush(self, *models_first: type[models.Model]) -> None:
        """Write everything pending; *models_first* before the rest (foreign keys on SQLite)."""
        order = sorted(
            self.tables.values(),
            key=lambda t: models_first.index(t.model) if t.model in models_first else 999,
        )
        for table in order:
            table.flush()

    def reset_sequences(self) -> None:
        seen = {table.model for table in self.tables.values()}
        statements = connection.ops.sequence_reset_sql(no_style(), list(seen))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    def counts(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for table in self.tables.values():
            totals[table.db_table] = totals.get(table.db_table, 0) + table.written
        return totals
