"""Reading the reports: the only SQL of the reports package."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from analytics.reports.domain import COUNTED_STATUSES, Figures
from analytics.tables import products, sales_daily, sales_orders
from erp_shared.periods import Period


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


def sales(conn: Connection, start: date, end: date, granularity: str, group_by: str):
    """Orders, units and revenue per period and key, summed over the daily figures."""
    period = sales_daily.c[granularity]
    dimension = "product" if group_by == "category" else group_by
    if group_by == "category":
        key = func.coalesce(products.c.category, "uncategorised")
        source = sales_daily.outerjoin(products, products.c.sku == sales_daily.c.key)
    else:
        key, source = sales_daily.c.key, sales_daily
    rows = conn.execute(
        select(
            period.label("period"),
            key.label("key"),
            func.sum(sales_daily.c.orders).label("orders"),
            func.sum(sales_daily.c.units).label("units"),
            func.sum(sales_daily.c.revenue).label("revenue"),
        )
        .select_from(source)
        .where(
            sales_daily.c.dimension == dimension,
            sales_daily.c.day >= start,
            sales_daily.c.day <= end,
        )
        .group_by(period, key)
        .having(func.sum(sales_daily.c.orders) > 0)
        .order_by(period, key)
    )
    return [row._asdict() for row in rows]
