"""What RFM reads and keeps: customers' purchases, and the segment each was last given."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from analytics.rfm.domain import Purchases
from analytics.tables import SOLD, customer_segments, external_customers, sales_orders
from erp_shared.db import dialect_insert


def purchases(conn: Connection) -> list[Purchases]:
    rows = conn.execute(
        select(
            sales_orders.c.customer_id,
            func.max(sales_orders.c.placed_at),
            func.count(),
            func.coalesce(func.sum(sales_orders.c.revenue), 0),
            func.max(external_customers.c.customer_ref),
        )
        .outerjoin(
            external_customers, external_customers.c.customer_id == sales_orders.c.customer_id
        )
        .where(
            SOLD,
            sales_orders.c.customer_id.is_not(None),
            sales_orders.c.placed_at.is_not(None),
        )
        .group_by(sales_orders.c.customer_id)
        .order_by(sales_orders.c.customer_id)
    )
    return [Purchases(row[0], row[1].date(), row[2], row[3], row[4]) for row in rows]


def segments(conn: Connection) -> dict[str, str]:
    return dict(
        conn.execute(select(customer_segments.c.customer_id, customer_segments.c.segment)).all()
    )


def keep_segment(conn: Connection, customer_id: str, segment: str, at) -> None:
    statement = dialect_insert(conn)(customer_segments).values(
        customer_id=customer_id, segment=segment, changed_at=at
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[customer_segments.c.customer_id],
            set_={"segment": segment, "changed_at": at},
        )
    )
