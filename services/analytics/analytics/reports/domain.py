"""Reporting rules, free of Flask and SQL.

Revenue is net of tax (the sum of line totals) and counts only the orders that are sales
(analytics.domain.COUNTED_STATUSES). Net revenue takes away what credit notes gave back;
margin is net revenue less the FIFO cost of the goods issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from analytics.domain import next_period, period_of
from erp_shared.money import money


@dataclass(frozen=True)
class Figures:
    """The sums a report row is made from."""

    revenue: Decimal
    orders: int
    units: int
    returned_units: int = 0
    credited: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)

    @classmethod
    def total(cls, rows) -> Figures:
        return cls(
            **{name: sum((row[name] for row in rows), start=0) for name in cls.__annotations__}
        )

    def render(self) -> dict:
        """Revenue net of credit notes; margin over the cost of the goods issued so far."""
        net = money(self.revenue - self.credited)
        return {
            "orders": self.orders,
            "units": self.units,
            "revenue": money(self.revenue),
            "returned_units": self.returned_units,
            "net_revenue": net,
            "cost": money(self.cost),
            "margin": money(net - self.cost),
            "returns_rate": round(self.returned_units / self.units, 4) if self.units else 0.0,
        }


def summary(figures: Figures) -> dict:
    orders = figures.orders
    return figures.render() | {
        "average_order_value": money(figures.revenue / orders) if orders else money(Decimal(0)),
    }


GROUPS = ("product", "customer", "channel", "category")


@dataclass(frozen=True)
class Part:
    """A stretch of a report read one way, in period order with the others.

    `days`: the daily figures from `first` to `last`, summed per period. `whole`: the rollups
    of the periods from `first` up to (not including) `last`. `less`: the rollup of the
    period starting `first`, less the daily figures of the `outside` day ranges.
    """

    how: str
    first: date
    last: date
    outside: tuple[tuple[date, date], ...] = ()


def reading_plan(start: date, end: date, granularity: str) -> list[Part]:
    """How to read start..end by period from the figures kept: whole periods from their
    rollups; a part period from its own days or, when fewer, its whole period less the days
    outside the range (a month to date is its month less nothing)."""
    if granularity == "day":
        return [Part("days", start, end)]
    parts: list[Part] = []
    period = period_of(start, granularity)
    while period <= end:
        following = next_period(period, granularity)
        first, last = max(period, start), min(following - timedelta(days=1), end)
        if (first, last) == (period, following - timedelta(days=1)):
            if parts and parts[-1].how == "whole" and parts[-1].last == period:
                parts[-1] = Part("whole", parts[-1].first, following)
            else:
                parts.append(Part("whole", period, following))
        else:
            outside = tuple(
                (a, b)
                for a, b in (
                    (period, first - timedelta(days=1)),
                    (last + timedelta(days=1), following - timedelta(days=1)),
                )
                if a <= b
            )
            outside_days = sum((b - a).days + 1 for a, b in outside)
            if outside_days < (last - first).days + 1:
                parts.append(Part("less", period, period, outside))
            else:
                parts.append(Part("days", first, last))
        period = following
    return parts
