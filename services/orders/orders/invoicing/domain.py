"""Invoices and credit notes, free of Flask and SQL.

An invoice bills what one shipment took, line by line, with each line's tax rounded half-even;
a credit note gives back what a return brought, referencing the invoice lines it credits, tax
included. Numbers are gap-free per year and per kind (INV-2026-000001, CN-2026-000001).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from erp_shared.errors import NotAllowed
from erp_shared.money import money
from orders.pricing import TaxedLines, tax_on

PREFIX = {"invoice": "INV", "credit_note": "CN"}


def invoice_number(kind: str, year: int, sequence: int) -> str:
    return f"{PREFIX[kind]}-{year}-{sequence:06d}"


def due_on(issued_at: datetime, payment_days: int) -> date:
    """An invoice is due `payment_days` after the day it is issued (net terms)."""
    return issued_at.date() + timedelta(days=payment_days)


def buyer_on_invoice(buyer, fallback_address: dict | None) -> dict | None:
    """What an invoice keeps of its buyer (replicas' Buyer): its billing address, else where
    the order was shipped."""
    if buyer is None:
        return None
    return {
        "name": buyer.name,
        "company": buyer.company,
        "email": buyer.email,
        "tax_id": buyer.tax_id,
        "address": buyer.address or fallback_address,
        "language": buyer.language,
    }


def erased_buyer() -> dict:
    """The buyer of an erased customer's invoices: no personal data, the amounts untouched."""
    return {
        "name": "erased",
        "company": None,
        "email": None,
        "tax_id": None,
        "address": None,
        "language": None,
    }


@dataclass(frozen=True)
class InvoiceLine:
    line_no: int
    sku: str
    quantity: int
    unit_price: Decimal
    tax_rate: Decimal
    original_invoice_id: str | None = None
    original_line_no: int | None = None
    # The product's name when the line was billed.
    name: str | None = None

    @property
    def line_total(self) -> Decimal:
        return money(self.unit_price * self.quantity)

    @property
    def tax(self) -> Decimal:
        return tax_on(self.line_total, self.tax_rate)


@dataclass(frozen=True)
class TaxAtRate:
    rate: Decimal
    taxable: Decimal
    tax: Decimal


@dataclass
class Invoice(TaxedLines):
    id: str
    number: str
    kind: str
    order_id: str
    order_number: str
    customer_id: str
    currency: str
    lines: list[InvoiceLine]
    issued_at: datetime
    return_id: str | None = None
    original_invoice_id: str | None = None
    paid_at: datetime | None = None
    # Whom it is for as they were at issue: name, email, company, tax_id, address.
    buyer: dict | None = None
    due_on: date | None = None
    paid_now: bool = field(default=False, repr=False)
    pending_events: list[tuple[str, dict]] = field(default_factory=list, repr=False)

    @classmethod
    def issue(cls, **details) -> Invoice:
        invoice = cls(**details)
        invoice.pending_events.append(
            (
                "invoice.issued",
                {
                    "invoice_id": invoice.id,
                    "number": invoice.number,
                    "kind": invoice.kind,
                    "order_id": invoice.order_id,
                    "customer_id": invoice.customer_id,
                    "total": invoice.total,
                    "currency": invoice.currency,
                    "subtotal": invoice.subtotal,
                    "lines": [
                        {"sku": line.sku, "quantity": line.quantity, "unit_price": line.unit_price}
                        for line in invoice.lines
                    ],
                },
            )
        )
        return invoice

    @property
    def tax_by_rate(self) -> list[TaxAtRate]:
        """The lines' amount and tax at each rate, lowest rate first: what an invoice must
        state where several rates apply."""
        by_rate: dict[Decimal, TaxAtRate] = {}
        for line in self.lines:
            so_far = by_rate.get(line.tax_rate, TaxAtRate(line.tax_rate, Decimal(0), Decimal(0)))
            by_rate[line.tax_rate] = TaxAtRate(
                line.tax_rate, so_far.taxable + line.line_total, so_far.tax + line.tax
            )
        return [by_rate[rate] for rate in sorted(by_rate)]

    def pay(self, at: datetime) -> None:
        """Only an invoice is paid (a credit note is money given back), and once."""
        if self.kind != "invoice" or self.paid_at is not None:
            raise NotAllowed(f"{self.number} is not an unpaid invoice.")
        self.paid_at, self.paid_now = at, True


@dataclass(frozen=True)
class Creditable:
    """An invoice line and how many of its units no credit note has given back yet."""

    invoice_id: str
    line_no: int
    sku: str
    unit_price: Decimal
    tax_rate: Decimal
    remaining: int


def credit_lines(returned: dict[str, int], creditable: list[Creditable]) -> list[InvoiceLine]:
    """Credit each returned unit against the invoice lines that billed it, latest first."""
    lines = []
    for sku, quantity in returned.items():
        wanted = quantity
        for source in [c for c in reversed(creditable) if c.sku == sku and c.remaining]:
            units = min(source.remaining, wanted)
            lines.append(
                InvoiceLine(
                    len(lines) + 1,
                    sku,
                    units,
                    source.unit_price,
                    source.tax_rate,
                    source.invoice_id,
                    source.line_no,
                )
            )
            wanted -= units
            if not wanted:
                break
    return lines
