"""Keeping a local copy of another service's data from its events, which carry no global
order: the SQL every consumer of those events would otherwise write again.

- An entity copy (a customer, a product) is written unless a copy from a newer event is
  already there (`source_updated_at`, the event's time).
- An order copy's status only moves further along the order's life (the contract's
  ORDER_STATUS_PROGRESS); a status that overtook `order.placed` leaves a stub that
  `order.placed` fills in without touching the status.
"""

from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import Table, bindparam, case
from sqlalchemy.engine import Connection

from erp_shared.db import dialect_insert, insert_for
from erp_shared.events import ORDER_STATUS_PROGRESS


def upsert_unless_newer(conn: Connection, table: Table, key: str, values: dict) -> None:
    statement = dialect_insert(conn)(table).values(**values)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c[key]],
            set_={name: statement.excluded[name] for name in values if name != key},
            where=table.c.source_updated_at <= statement.excluded.source_updated_at,
        )
    )


def fill_in_order(
    conn: Connection, table: Table, values: dict, placed_at: datetime, changed: str
) -> None:
    """An order's figures from order.placed; a status that arrived first is kept."""
    statement = _fill_in(conn.dialect.name, table, tuple(values), changed)
    conn.execute(
        statement, {"status": "pending", "placed_at": placed_at, changed: placed_at} | values
    )


def advance_order(
    conn: Connection, table: Table, order_id: str, status: str, at: datetime, changed: str
) -> None:
    """Move the copy's status on, never back."""
    statement = _advance(conn.dialect.name, table, changed)
    conn.execute(
        statement,
        {
            "order_id": order_id,
            "status": status,
            changed: at,
            "rank": ORDER_STATUS_PROGRESS[status],
        },
    )


# The two statements every order event runs in a copy, built once per database, table and
# shape and given their values as parameters: building them cost more than running them.
@functools.cache
def _fill_in(dialect: str, table: Table, names: tuple[str, ...], changed: str):
    columns = ("status", "placed_at", changed, *names)
    statement = insert_for(dialect)(table).values({n: bindparam(n) for n in columns})
    return statement.on_conflict_do_update(
        index_elements=[table.c.order_id],
        set_={n: statement.excluded[n] for n in [*names, "placed_at"] if n != "order_id"},
    )


@functools.cache
def _advance(dialect: str, table: Table, changed: str):
    columns = ("order_id", "status", changed)
    statement = insert_for(dialect)(table).values({n: bindparam(n) for n in columns})
    progress = case(ORDER_STATUS_PROGRESS, value=table.c.status, else_=-1)
    return statement.on_conflict_do_update(
        index_elements=[table.c.order_id],
        set_={"status": statement.excluded.status, changed: statement.excluded[changed]},
        where=progress < bindparam("rank"),
    )
