"""How an order's sale is shared out over the sales figures, free of Flask and SQL.

Every figure sits on the day the order was placed, so a period's returns rate, credit and
margin are those of the sales made in it, whenever the goods came back or left the shelf.
An order counts once in its customer's and its channel's row, and each of its SKUs' rows.
Past orders from a history import are summed the same way, in SQL (db.add_history_figures).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal

DIMENSIONS = ("product", "customer", "channel")


@dataclass(frozen=True)
class Adjustment:
    """What happened to one SKU of an order after the sale."""

    sku: str
    returned_units: int = 0
    credited: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)

    def figures(self) -> dict:
        return {"returned_units": self.returned_units, "credited": self.credited, "cost": self.cost}


ADJUSTMENTS = tuple(field.name for field in fields(Adjustment) if field.name != "sku")


def _negated(figures: dict) -> dict:
    return {name: -value for name, value in figures.items()}


def order_shares(order, lines, adjustments: list[Adjustment], sign: int) -> list[tuple]:
    """(dimension, key, figures) rows an order adds to its day (sign 1) or takes back (-1).

    An exchange's replacement (`order.replacement`) sends goods sold once already: it adds
    their cost, and no order, unit or revenue."""
    counted = 0 if order.replacement else 1
    by_sku: dict[str, dict] = {}
    for line in lines:
        figures = by_sku.setdefault(
            line.sku,
            {"orders": counted, "units": 0, "revenue": Decimal(0)} | Adjustment("").figures(),
        )
        figures["units"] += line.quantity * counted
        figures["revenue"] += line.quantity * line.unit_price * counted
    for adjustment in adjustments:
        if adjustment.sku in by_sku:
            by_sku[adjustment.sku] |= adjustment.figures()
    whole = {name: sum(f[name] for f in by_sku.values()) for name in next(iter(by_sku.values()))}
    whole["orders"] = counted
    shares = [("product", sku, figures) for sku, figures in by_sku.items()]
    shares += [("customer", order.customer_id, whole), ("channel", order.channel, whole)]
    return shares if sign > 0 else [(d, k, _negated(f)) for d, k, f in shares]


def adjustment_shares(order, lines, changes: list[Adjustment]) -> list[tuple]:
    """The rows later returns, credit notes or issues of goods add to on a counted order; a
    SKU the order did not sell has no row of its, as in order_shares."""
    sold = {line.sku for line in lines}
    return [
        (dimension, key, change.figures())
        for change in changes
        if change.sku in sold
        for dimension, key in (
            ("product", change.sku),
            ("customer", order.customer_id),
            ("channel", order.channel),
        )
    ]
