"""The days each customer bought on, as repeat purchases count them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from analytics.repeat.domain import Buyer
from analytics.tables import SOLD, external_customers, sales_orders


def buyers(conn: Connection) -> list[Buyer]:
    rows = conn.execute(
        select(
            sales_orders.c.customer_id,
            external_customers.c.customer_ref,
            sales_orders.c.placed_at,
        )
        .outerjoin(
            external_customers, external_customers.c.customer_id == sales_orders.c.customer_id
        )
        .where(SOLD, sales_orders.c.customer_id.is_not(None), sales_orders.c.placed_at.is_not(None))
        .order_by(sales_orders.c.customer_id)
    )
    found: dict[str, Buyer] = {}
    for customer_id, external_ref, placed_at in rows:
        buyer = found.get(customer_id)
        if buyer is None:
            buyer = found[customer_id] = Buyer(customer_id, external_ref, [])
        buyer.days.append(placed_at.date())
    return list(found.values())
