"""The turnover report's one query, over the running totals the stock ledger keeps per day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, type_coerce
from sqlalchemy.engine import Connection

from erp_shared.db import Money
from erp_shared.periods import Period
from inventory.reports.domain import SkuValues
from inventory.tables import products, stock_days


def _total_at_end_of(column, sku, day: date, inclusive: bool):
    """A SKU's running total at the end of the last day (before or up to `day`) it moved."""
    when = stock_days.c.day <= day if inclusive else stock_days.c.day < day
    latest = (
        select(column)
        .where(stock_days.c.sku == sku, when)
        .order_by(stock_days.c.day.desc())
        .limit(1)
        .scalar_subquery()
    )
    return type_coerce(func.coalesce(latest, 0), Money)


def sku_values(conn: Connection, period: Period) -> list[SkuValues]:
    """Value on hand at the start and end of the period and the COGS within it, per SKU: four
    index look-ups per SKU, whatever the length of the ledger or the period."""
    sku = products.c.sku
    rows = conn.execute(
        select(
            sku,
            _total_at_end_of(stock_days.c.value_to_date, sku, period.start, False).label("opening"),
            _total_at_end_of(stock_days.c.value_to_date, sku, period.end, True).label("closing"),
            _total_at_end_of(stock_days.c.cogs_to_date, sku, period.start, False).label(
                "cogs_before"
            ),
            _total_at_end_of(stock_days.c.cogs_to_date, sku, period.end, True).label("cogs_by_end"),
        ).where(sku.in_(select(stock_days.c.sku).distinct()))
    )
    return [
        SkuValues(row.sku, row.opening, row.closing, row.cogs_by_end - row.cogs_before)
        for row in rows
    ]
