"""Order rules, free of Flask and SQL: pricing, totals and the status machine.

Prices come from the catalogue replica, never from the client. A move the status machine
does not allow is refused when a person asks for it and ignored when an event asks for it,
so a stale or repeated event cannot undo a decision.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from erp_shared.money import money

CHANNELS = ("web", "phone", "email", "store", "marketplace", "api")

TRANSITIONS = {
    "pending": {"confirmed", "rejected", "cancelled"},
    "confirmed": {"shipped", "cancelled"},
    "shipped": {"delivered"},
    "delivered": set(),
    "rejected": set(),
    "cancelled": set(),
}


class PricingError(ValueError):
    """The order cannot be priced; `errors` maps line positions to what is wrong."""

    def __init__(self, message: str, errors: dict):
        super().__init__(message)
        self.errors = errors


@dataclass(frozen=True)
class PricedLine:
    sku: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal


@dataclass(frozen=True)
class PricedOrder:
    lines: list[PricedLine]
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    currency: str


def merge_lines(lines: list[dict]) -> list[tuple[str, int]]:
    """Lines naming the same SKU become one, in the order first named."""
    quantities: Counter[str] = Counter()
    for line in lines:
        quantities[line["sku"]] += line["quantity"]
    return list(quantities.items())


def price_order(lines: list[dict], catalogue: dict[str, dict], tax_rate: Decimal) -> PricedOrder:
    unknown = {
        str(index): {"sku": [f"Unknown SKU {line['sku']}."]}
        for index, line in enumerate(lines)
        if line["sku"] not in catalogue
    }
    if unknown:
        raise PricingError(
            "The order names products that are not in the catalogue.", {"lines": unknown}
        )
    currencies = {catalogue[line["sku"]]["currency"] for line in lines}
    if len(currencies) > 1:
        raise PricingError(
            "An order is priced in one currency.",
            {"lines": [f"Products are priced in {', '.join(sorted(currencies))}."]},
        )
    priced = [
        PricedLine(
            sku,
            quantity,
            catalogue[sku]["unit_price"],
            money(catalogue[sku]["unit_price"] * quantity),
        )
        for sku, quantity in merge_lines(lines)
    ]
    subtotal = sum((line.line_total for line in priced), Decimal("0"))
    tax = money(subtotal * tax_rate)
    return PricedOrder(priced, money(subtotal), tax, money(subtotal + tax), currencies.pop())


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, set())


def order_number(year: int, sequence: int) -> str:
    return f"SO-{year}-{sequence:06d}"
