"""Repeat purchases: how long customers take to buy again, free of Flask and SQL.

A purchase is a day a customer bought on: two orders on one day are one visit (the item
forgotten in the first is no repeat purchase). A customer who bought on two days or more
has an interval, the median of the days between their consecutive purchases (the median, so
one long absence does not hide a monthly habit); their next purchase is expected that many
days after the last, and they are overdue by the days since then. The summary says how many
buyers came back at all and how every gap between consecutive purchases spreads over
ranges of days, the shape a reminder or a subscription offer is timed by.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

# The ranges of days gaps are counted in: a week, a month, a quarter, half a year, a year.
RANGES = ((1, 7), (8, 30), (31, 90), (91, 180), (181, 365), (366, None))


@dataclass(frozen=True)
class Repeater:
    customer_id: str
    external_ref: str | None
    purchases: int
    first_purchase: date
    last_purchase: date
    median_days_between: float
    next_expected: date
    overdue_days: int


@dataclass(frozen=True)
class Buyer:
    """The days a customer bought on, in any order, repeated or not."""

    customer_id: str
    external_ref: str | None
    days: list[date]

    @cached_property
    def purchase_days(self) -> list[date]:
        """The days bought on, once each, in order: worked out once for every measure."""
        return sorted(set(self.days))


def repeaters(buyers: list[Buyer], today: date) -> list[Repeater]:
    """Customers who bought on two days or more, the most overdue first."""
    found = []
    for buyer in buyers:
        days = buyer.purchase_days
        if len(days) < 2:
            continue
        median = statistics.median(_gaps(days))
        expected = days[-1] + timedelta(days=round(median))
        found.append(
            Repeater(
                buyer.customer_id,
                buyer.external_ref,
                len(days),
                days[0],
                days[-1],
                float(median),
                expected,
                max(0, (today - expected).days),
            )
        )
    return sorted(found, key=lambda r: (-r.overdue_days, r.customer_id))


def summary(buyers: list[Buyer]) -> dict:
    """Buyers, those who came back, and every gap between consecutive purchases by range."""
    gaps = [gap for buyer in buyers for gap in _gaps(buyer.purchase_days)]
    repeat = sum(1 for buyer in buyers if len(buyer.purchase_days) > 1)
    return {
        "customers": len(buyers),
        "repeat_customers": repeat,
        "repeat_rate": round(repeat / len(buyers), 4) if buyers else 0.0,
        "median_days_between": float(statistics.median(gaps)) if gaps else None,
        "gaps": [
            {
                "from_days": low,
                "to_days": high,
                "count": sum(1 for gap in gaps if low <= gap and (high is None or gap <= high)),
            }
            for low, high in RANGES
        ],
    }


def _gaps(days: list[date]) -> list[int]:
    return [(later - earlier).days for earlier, later in zip(days, days[1:], strict=False)]
