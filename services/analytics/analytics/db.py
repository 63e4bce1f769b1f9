"""Analytics tables (a sales replica built from order events) and the report queries."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, case, func, select
from sqlalchemy.engine import Connection

from analytics.domain import COUNTED_STATUSES, STATUS_PROGRESS, Period
from erp_shared.db import Money, UtcDateTime, dialect_insert

metadata = MetaData()

sales_orders = Table(
    "sales_orders",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("customer_id", String(36)),
    Column("channel", String(20)),
    Column("campaign_code", String(64)),
    Column("revenue", Money),
    Column("total", Money),
    Column("currency", String(3)),
    Column("units", Integer),
    Column("returned_units", Integer, nullable=False, default=0),
    Column("status", String(20), nullable=False),
    Column("placed_at", UtcDateTime, index=True),
    Column("status_changed_at", UtcDateTime, nullable=False),
)

sales_lines = Table(
    "sales_lines",
    metadata,
    Column("order_id", String(36), ForeignKey("sales_orders.order_id"), primary_key=True),
    Column("sku", String(64), primary_key=True),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money, nullable=False),
)


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
    progress = case(STATUS_PROGRESS, value=sales_orders.c.status, else_=-1)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[sales_orders.c.order_id],
            set_={"status": status, "status_changed_at": at},
            where=progress < STATUS_PROGRESS[status],
        )
    )


def _bounds(period: Period) -> tuple[datetime, datetime]:
    start = datetime.combine(period.start, time.min, tzinfo=UTC)
    return start, datetime.combine(period.end, time.min, tzinfo=UTC) + timedelta(days=1)


def sales_totals(conn: Connection, period: Period) -> tuple:
    start, end = _bounds(period)
    row = conn.execute(
        select(
            func.coalesce(func.sum(sales_orders.c.revenue), 0),
            func.count(),
            func.coalesce(func.sum(sales_orders.c.units), 0),
            func.coalesce(func.sum(sales_orders.c.returned_units), 0),
        ).where(
            sales_orders.c.status.in_(COUNTED_STATUSES),
            sales_orders.c.placed_at >= start,
            sales_orders.c.placed_at < end,
        )
    ).one()
    return row
