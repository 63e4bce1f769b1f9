"""Reporting rules, free of Flask and SQL.

Revenue is net of tax (the sum of line totals) and counts only orders that were confirmed:
a rejected or cancelled order never earned anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from erp_shared.money import money

COUNTED_STATUSES = ("confirmed", "partially_shipped", "shipped", "delivered")


@dataclass(frozen=True)
class Figures:
    """The sums a period's report is made from."""

    revenue: Decimal
    orders: int
    units: int
    returned_units: int


def summary(figures: Figures) -> dict:
    revenue, orders, units = figures.revenue, figures.orders, figures.units
    return {
        "revenue": money(revenue),
        "orders": orders,
        "units": units,
        "average_order_value": money(revenue / orders) if orders else money(Decimal(0)),
        "returns_rate": round(figures.returned_units / units, 4) if units else 0.0,
    }


GRANULARITIES = ("day", "week", "month")
GROUPS = ("product", "customer", "channel", "category")


def week_of(day: date) -> date:
    """The Monday a day's week starts on."""
    return day - timedelta(days=day.weekday())


def month_of(day: date) -> date:
    return day.replace(day=1)
