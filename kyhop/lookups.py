"""``field__any=[…]``: ``field = ANY(%s)`` with the list as one array parameter (PostgreSQL).

``field__in=[…]`` writes one placeholder per value: a clerk's 1,500 visible meetings became
1,500 parameters to adapt, send and parse on every document query. One array parameter costs
the same whatever its length, and PostgreSQL hashes it. Elsewhere it falls back to IN.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Field, ForeignObject, Lookup


@ForeignObject.register_lookup
@Field.register_lookup
class Any_(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    # The stubs say a tuple of parameters; the database backends take any sequence.
    def get_db_prep_lookup(self, value: Any, connection: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        return "%s", [list(value)]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        if not values:
            return "1 = 0", list(lhs_params)
        marks = ", ".join(["%s"] * len(values))
        return f"{lhs} IN ({marks})", [*lhs_params, *values]
