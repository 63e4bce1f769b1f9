"""The baskets association rules are learnt from: the SKUs of each order that counted."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from analytics.tables import SOLD, sales_lines, sales_orders


def baskets(conn: Connection) -> list[set[str]]:
    rows = conn.execute(
        select(sales_lines.c.order_id, sales_lines.c.sku)
        .join(sales_orders, sales_orders.c.order_id == sales_lines.c.order_id)
        .where(SOLD)
    )
    grouped: dict[str, set[str]] = {}
    for order_id, sku in rows:
        grouped.setdefault(order_id, set()).add(sku)
    return list(grouped.values())
