"""The CRM's copy of orders and returns, fed by their events: the only SQL of purchases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from crm.tables import purchases, returns_seen
from erp_shared.copies import advance_order, fill_in_order
from erp_shared.db import dialect_insert

_FIELDS = ("order_id", "customer_id", "number", "status", "campaign_code", "revenue")


def record_placed(conn: Connection, values: dict, at: datetime) -> None:
    fill_in_order(conn, purchases, values, at, changed="changed_at")


def record_status(conn: Connection, order_id: str, status: str, at: datetime) -> None:
    advance_order(conn, purchases, order_id, status, at, changed="changed_at")


def record_return(conn: Connection, values: dict) -> None:
    statement = dialect_insert(conn)(returns_seen).values(**values)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[returns_seen.c.return_id],
            set_={"status": statement.excluded.status, "changed_at": statement.excluded.changed_at},
            where=returns_seen.c.status == "requested",
        )
    )


def orders_of(conn: Connection, customer_id: str) -> list[dict]:
    rows = conn.execute(
        select(
            *(purchases.c[n] for n in _FIELDS), purchases.c.placed_at, purchases.c.changed_at
        ).where(purchases.c.customer_id == customer_id)
    )
    return [row._asdict() for row in rows]


def customer_of(conn: Connection, order_id: str) -> str | None:
    return conn.execute(
        select(purchases.c.customer_id).where(purchases.c.order_id == order_id)
    ).scalar_one_or_none()


def returns_of(conn: Connection, customer_id: str) -> list[dict]:
    rows = conn.execute(
        select(
            returns_seen.c.return_id,
            returns_seen.c.order_id,
            returns_seen.c.resolution,
            returns_seen.c.status,
            returns_seen.c.changed_at,
        )
        .join(purchases, purchases.c.order_id == returns_seen.c.order_id)
        .where(purchases.c.customer_id == customer_id)
    )
    return [row._asdict() for row in rows]


def with_code(conn: Connection, code: str) -> list[dict]:
    rows = conn.execute(
        select(*(purchases.c[n] for n in _FIELDS), purchases.c.placed_at).where(
            purchases.c.campaign_code == code
        )
    )
    return [row._asdict() for row in rows]


def first_orders(conn: Connection, customer_ids) -> dict[str, datetime]:
    """When each customer placed their first order that went through (not rejected)."""
    rows = conn.execute(
        select(purchases.c.customer_id, func.min(purchases.c.placed_at))
        .where(
            purchases.c.customer_id.in_(list(customer_ids)),
            purchases.c.status.notin_(["rejected"]),
            purchases.c.placed_at.is_not(None),
        )
        .group_by(purchases.c.customer_id)
    )
    return dict(rows.all())


def spending(conn: Connection, counted: tuple[str, ...]) -> dict[str, tuple]:
    """Per customer: total spent and last order date, over orders in `counted` statuses."""
    rows = conn.execute(
        select(
            purchases.c.customer_id,
            func.coalesce(func.sum(purchases.c.revenue), 0),
            func.max(purchases.c.placed_at),
        )
        .where(purchases.c.status.in_(counted), purchases.c.customer_id.is_not(None))
        .group_by(purchases.c.customer_id)
    )
    return {row[0]: (row[1], row[2]) for row in rows}


def reassign(conn: Connection, from_id: str, to_id: str) -> None:
    conn.execute(
        update(purchases).where(purchases.c.customer_id == from_id).values(customer_id=to_id)
    )
