"""RFM: how recently, how often and for how much each customer buys, free of Flask and SQL.

Each measure is scored 1 to 5 by where the customer stands among all customers who bought:
5 less the share of them with a better value, in fifths. Customers with equal values share
the score their place earns, so the best value always scores 5: when everyone bought today,
everyone's recency is 5, not 1. Fewer days since the last order is better. Scoring sorts
once per measure (n log n) rather than comparing every customer with every other. The named
segment comes from recency (R) and frequency (F):

    champions          R >= 4 and F >= 4
    loyal              R >= 3 and F >= 3
    new                R >= 4 and F <= 2
    at_risk            R <= 2 and F >= 3
    hibernating        R <= 2 and F <= 2
    needs_attention    anything else
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Purchases:
    customer_id: str
    last_order: date
    orders: int
    spent: Decimal
    # The reference a history import named a buyer CRM does not know by; None for CRM's.
    external_ref: str | None = None


@dataclass(frozen=True)
class RfmScore:
    customer_id: str
    recency_days: int
    frequency: int
    monetary: Decimal
    r: int
    f: int
    m: int
    external_ref: str | None = None

    @property
    def segment(self) -> str:
        r, f = self.r, self.f
        if r >= 4 and f >= 4:
            return "champions"
        if r >= 3 and f >= 3:
            return "loyal"
        if r >= 4:
            return "new"
        if r <= 2 and f >= 3:
            return "at_risk"
        if r <= 2:
            return "hibernating"
        return "needs_attention"


def _scores(values: list, better_when_higher: bool = True) -> list[int]:
    """Each value's score: 5 - floor(5 * (how many values are strictly better) / count)."""
    count = len(values)
    ordered = sorted(values)

    def better(value) -> int:
        if better_when_higher:
            return count - bisect.bisect_right(ordered, value)
        return bisect.bisect_left(ordered, value)

    return [5 - math.floor(5 * better(value) / count) for value in values]


def score(purchases: list[Purchases], today: date) -> list[RfmScore]:
    recency = [(today - p.last_order).days for p in purchases]
    r = _scores(recency, better_when_higher=False)
    f = _scores([p.orders for p in purchases])
    m = _scores([p.spent for p in purchases])
    return [
        RfmScore(p.customer_id, days, p.orders, p.spent, r[i], f[i], m[i], p.external_ref)
        for i, (p, days) in enumerate(zip(purchases, recency, strict=True))
    ]
