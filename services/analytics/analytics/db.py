"""Keeping the sales replica and reading reports from it: the only SQL of analytics."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.engine import Connection

from analytics.domain import COUNTED_STATUSES, Figures, Period
from analytics.tables import sales_lines, sales_orders
from erp_shared.db import dialect_insert
from erp_shared.events import ORDER_STATUS_PROGRESS


def record_placed(conn: Connection, values: dict, lines: list[dict], placed_at) -> None:
    """Fill in the order's figures; a status that arrived first is kept."""
    statement = dialect_insert(conn)(sales_orders).values(
        status="pending", status_changed_at=placed_at, placed_at=placed_at, **values
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[sales_orders.c.order_id],
            set_={
                name: statement.excluded[name]
                for name in [*values, "placed_at"]
                if name != "order_id"
            },
        )
    )
    conn.execute(sales_lines.delete().where(sales_lines.c.order_id == values["order_id"]))
    conn.execute(sales_lines.insert(), [{"order_id": values["order_id"], **line} for line in lines])


def record_status(conn: Connection, order_id: str, status: str, at) -> None:
    """Move the order on, never back; an order.confirmed that overtook order.placed leaves a
    stub that order.placed fills in."""
    statement = dialect_insert(conn)(sales_orders).values(
        order_id=order_id, status=status, status_changed_at=at
    )
    progress = case(ORDER_STATUS_PROGRESS, value=sales_orders.c.status, else_=-1)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[sales_orders.c.order_id],
            set_={"status": status, "status_changed_at": at},
            where=progress < ORDER_STATUS_PROGRESS[status],
        )
    )


def _bounds(period: Period) -> tuple[datetime, datetime]:
    start = datetime.combine(period.start, time.min, tzinfo=UTC)
    return start, datetime.combine(period.end, time.min, tzinfo=UTC) + timedelta(days=1)


def sales_totals(conn: Connection, period: Period) -> Figures:
    start, end = _bounds(period)
    row = conn.execute(
        select(
            func.coalesce(func.sum(sales_orders.c.revenue), 0).label("revenue"),
            func.count().label("orders"),
            func.coalesce(func.sum(sales_orders.c.units), 0).label("units"),
            func.coalesce(func.sum(sales_orders.c.returned_units), 0).label("returned_units"),
        ).where(
            sales_orders.c.status.in_(COUNTED_STATUSES),
            sales_orders.c.placed_at >= start,
            sales_orders.c.placed_at < end,
        )
    ).one()
    return Figures(row.revenue, row.orders, row.units, row.returned_units)


def reassign_customer(conn: Connection, from_id: str, to_id: str) -> None:
    conn.execute(
        update(sales_orders).where(sales_orders.c.customer_id == from_id).values(customer_id=to_id)
    )
