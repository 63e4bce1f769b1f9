"""Replenishment rules, free of Flask and SQL: when to reorder, and how much.

A SKU is low in a warehouse when what is available there is at or below its reorder point.
stock.low is said when it becomes low, not while it stays low, so a buyer gets one alert per
crossing however many orders push it down. Beside the reorder point someone set, a computed
one is offered: mean demand over the lead time plus a safety stock of z * sigma_daily *
sqrt(lead time), z from the service level (the chance of not running out during a lead time).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
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
