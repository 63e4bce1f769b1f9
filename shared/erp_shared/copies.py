"""Keeping a local copy of another service's data from its events, which carry no global
order: the SQL every consumer of those events would otherwise write again.

- An entity copy (a customer, a product) is written unless a copy from a newer event is
  already there (`source_updated_at`, the event's time).
- An order copy's status only moves further along the order's life (the contract's
  ORDER_STATUS_PROGRESS); a status that overtook `order.placed` leaves a stub that
  `order.placed` fills in without touching the status.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, case
from sqlalchemy.engine import Connection

from erp_shared.db import dialect_insert
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
    statement = dialect_insert(conn)(table).values(
        status="pending", placed_at=placed_at, **{changed: placed_at}, **values
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.order_id],
            set_={
                name: statement.excluded[name]
                for name in [*values, "placed_at"]
                if name != "order_id"
            },
        )
    )


def advance_order(
    conn: Connection, table: Table, order_id: str, status: str, at: datetime, changed: str
) -> None:
    """Move the copy's status on, never back."""
    statement = dialect_insert(conn)(table).values(
        order_id=order_id, status=status, **{changed: at}
    )
    progress = case(ORDER_STATUS_PROGRESS, value=table.c.status, else_=-1)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.order_id],
            set_={"status": status, changed: at},
            where=progress < ORDER_STATUS_PROGRESS[status],
        )
    )
