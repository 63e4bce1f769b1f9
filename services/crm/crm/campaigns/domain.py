"""Campaigns and what they earned, free of Flask and SQL.

A campaign's orders are those that carried its code, were placed between its first and last
day, and went through (confirmed or further; not rejected or cancelled). Revenue is net of
tax. A customer is new to the campaign when their first order ever is one of its orders,
returning otherwise. ROI = (revenue - cost) / cost, the cost being the budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from erp_shared.errors import Invalid
from erp_shared.money import money

CHANNELS = ("email", "social", "search", "display", "print", "event", "partner", "other")
EARNING = ("confirmed", "partially_shipped", "shipped", "delivered")


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    code: str
    channel: str
    budget: Decimal
    starts_on: date
    ends_on: date
    created_at: datetime
    segment: str | None = None
    pending_events: list[tuple[str, dict]] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def plan(cls, **details) -> Campaign:
        """A new campaign, announced so that orders accept its code."""
        if details["starts_on"] > details["ends_on"]:
            raise Invalid("A campaign ends after it starts.", {"ends_on": ["Before starts_on."]})
        campaign = cls(**details)
        campaign.pending_events.append(
            (
                "campaign.planned",
                {
                    "campaign_id": campaign.id,
                    "code": campaign.code,
                    "starts_on": campaign.starts_on,
                    "ends_on": campaign.ends_on,
                },
            )
        )
        return campaign

    def counts(self, order: dict) -> bool:
        placed = order.get("placed_at")
        return (
            order["status"] in EARNING
            and placed is not None
            and self.starts_on <= placed.date() <= self.ends_on
        )


def performance(
    campaign: Campaign, orders: list[dict], first_order_at: dict[str, datetime]
) -> dict:
    counted = [order for order in orders if campaign.counts(order)]
    revenue = money(sum((Decimal(order["revenue"] or 0) for order in counted), Decimal("0")))
    first_here: dict[str, datetime] = {}
    for order in counted:
        customer = order["customer_id"]
        first_here[customer] = min(first_here.get(customer, order["placed_at"]), order["placed_at"])
    new = {c for c, at in first_here.items() if first_order_at.get(c) == at}
    cost = campaign.budget
    return {
        "orders": len(counted),
        "customers": len(first_here),
        "new_customers": len(new),
        "returning_customers": len(first_here) - len(new),
        "revenue": revenue,
        "cost": money(cost),
        "roi": round((revenue - cost) / cost, 4) if cost else None,
    }
