"""Replenishment rules, free of Flask and SQL: when to reorder, and how much.

A SKU is low in a warehouse when what is available there is at or below its reorder point.
stock.low is said when it becomes low, not while it stays low, so a buyer gets one alert per
crossing however many orders push it down. Beside the reorder point someone set, a computed
one is offered: mean demand over the lead time plus a safety stock of z * sigma_daily *
sqrt(lead time), z from the service level (the chance of not running out during a lead time).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from statistics import NormalDist, fmean, pstdev


@dataclass(frozen=True)
class ReorderPolicy:
    reorder_point: int
    reorder_quantity: int
    lead_time_days: int


def is_low(available: int, policy: ReorderPolicy) -> bool:
    return available <= policy.reorder_point


def suggested_quantity(available: int, policy: ReorderPolicy) -> int:
    """The reorder quantity, or more if that would still leave the SKU at its reorder point."""
    return max(policy.reorder_quantity, policy.reorder_point - available + 1)


@dataclass(eq=False)
class ReorderWatch:
    """Where a SKU stands against its reorder point in one warehouse, as last seen: the
    aggregate that says stock.low, once per crossing. `available` is None if never seen;
    `changed` until what was seen is saved."""

    sku: str
    warehouse: str
    policy: ReorderPolicy
    low: bool = False
    available: int | None = None
    seen_at: datetime | None = None
    changed: bool = field(default=False, repr=False)
    pending_events: list[tuple[str, dict]] = field(default_factory=list, repr=False)

    def see(self, available: int, at: datetime) -> bool:
        """Note what is available now, announcing stock.low if the SKU has just become low;
        whether this ran it out (it had some when last seen)."""
        ran_out = available <= 0 and (self.available is None or self.available > 0)
        low_now = is_low(available, self.policy)
        if low_now and not self.low:
            self.pending_events.append(
                (
                    "stock.low",
                    {
                        "sku": self.sku,
                        "warehouse": self.warehouse,
                        "available": available,
                        "reorder_point": self.policy.reorder_point,
                        "suggested_quantity": suggested_quantity(available, self.policy),
                    },
                )
            )
        self.low, self.available, self.seen_at = low_now, available, at
        self.changed = True
        return ran_out


@dataclass(frozen=True)
class DemandBasedPoint:
    safety_stock: int
    reorder_point: int


def demand_based_point(
    daily_demand: list[int], lead_time_days: int, service_level: float
) -> DemandBasedPoint | None:
    """From units issued per day (days without issues count as 0); None without history."""
    if not daily_demand or lead_time_days <= 0:
        return None
    z = NormalDist().inv_cdf(service_level)
    safety = math.ceil(z * pstdev(daily_demand) * math.sqrt(lead_time_days))
    return DemandBasedPoint(safety, math.ceil(fmean(daily_demand) * lead_time_days) + safety)
