"""Amounts of anything made of taxed lines (orders, invoices, credit notes), computed one way.

Each line's tax is its amount times its rate, rounded half-even to cents; a document's tax is
the sum of its lines' taxes, so subtotal + tax = total exactly, to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from erp_shared.money import CENT, money


@dataclass(frozen=True)
class TaxRates:
    """A rate per product category, and the rate for everything else (the orders settings'
    ORDERS_TAX_RATES and ORDERS_TAX_RATE): selling, importing and exchanges price alike."""

    default: Decimal
    by_category: dict[str, Decimal] = field(default_factory=dict)

    def rate_for(self, category: str | None) -> Decimal:
        return self.by_category.get(category or "", self.default)


def tax_on(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_EVEN)


class TaxedLines:
    """Subtotal, tax and total of a document whose `lines` have `line_total` and `tax`."""

    lines: list

    @property
    def subtotal(self) -> Decimal:
        return money(sum((line.line_total for line in self.lines), Decimal("0")))

    @property
    def tax(self) -> Decimal:
        return money(sum((line.tax for line in self.lines), Decimal("0")))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax
