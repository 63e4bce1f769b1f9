"""Turnover rules, free of Flask and SQL.

For a period: cost of goods sold (COGS) is what the FIFO lots of the goods issued cost; the
average inventory value is the mean of the value on hand at the start and at the end; turnover
is COGS over that average, and days of inventory the period's days over turnover. ABC classes
rank SKUs by their share of all COGS: A while the SKUs before it make up less than 80%, B less
than 95%, C the rest (and every SKU that sold nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from erp_shared.money import money

A_SHARE, B_SHARE = Decimal("0.80"), Decimal("0.95")


@dataclass(frozen=True)
class SkuValues:
    sku: str
    opening_value: Decimal
    closing_value: Decimal
    cogs: Decimal


def turnover(values: list[SkuValues], days: int) -> list[dict]:
    """One line per SKU, highest COGS first, with its ABC class."""
    total_cogs = sum((v.cogs for v in values), Decimal("0"))
    ranked = sorted(values, key=lambda v: (-v.cogs, v.sku))
    lines, before = [], Decimal("0")
    for v in ranked:
        average = (v.opening_value + v.closing_value) / 2
        rate = v.cogs / average if average > 0 else None
        share = before / total_cogs if total_cogs else Decimal("1")
        lines.append(
            {
                "sku": v.sku,
                "cogs": money(v.cogs),
                "opening_value": money(v.opening_value),
                "closing_value": money(v.closing_value),
                "average_inventory_value": money(average),
                "turnover": round(float(rate), 4) if rate is not None else None,
                "days_of_inventory": round(days / float(rate), 1) if rate else None,
                "abc_class": "C"
                if not v.cogs
                else "A"
                if share < A_SHARE
                else "B"
                if share < B_SHARE
                else "C",
            }
        )
        before += v.cogs
    return lines
