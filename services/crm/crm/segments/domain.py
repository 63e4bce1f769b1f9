"""Rule-based segments, free of Flask and SQL: which customers a segment holds.

A segment's rules all apply together: any of its tags, total spend within bounds (orders that
went through, net of tax), last order after or before a date. A customer with no order has
spent nothing and has no last order, so a last-order rule leaves them out. The RFM segment
analytics assigns is the customer's own `segment` field, filtered on the customers list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

RULES = ("tags_any", "min_spend", "max_spend", "last_order_after", "last_order_before")


@dataclass(frozen=True)
class Segment:
    id: str
    name: str
    rules: dict
    created_at: datetime

    def holds(self, tags: list[str], spent: Decimal, last_order: datetime | None) -> bool:
        rules = self.rules
        if rules.get("tags_any") and not set(rules["tags_any"]) & set(tags):
            return False
        if "min_spend" in rules and spent < Decimal(rules["min_spend"]):
            return False
        if "max_spend" in rules and spent > Decimal(rules["max_spend"]):
            return False
        for name, later in (("last_order_after", True), ("last_order_before", False)):
            if name in rules:
                bound = date.fromisoformat(rules[name])
                if last_order is None or (last_order.date() > bound) != later:
                    return False
        return True
