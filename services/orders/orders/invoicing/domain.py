"""Invoices and credit notes, free of Flask and SQL.

An invoice bills what one shipment took, line by line, with each line's tax rounded half-even;
a credit note gives back what a return brought, referencing the invoice lines it credits, tax
included. Numbers are gap-free per year and per kind (INV-2026-000001, CN-2026-000001).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from erp_shared.errors import NotAllowed
from erp_shared.money import money
from orders.pricing import TaxedLines, tax_on

PREFIX = {"invoice": "INV", "credit_note": "CN"}


def invoice_number(kind: str, year: int, sequence: int) -> str:
    return f"{PREFIX[kind]}-{year}-{sequence:06d}"


@dataclass(frozen=True)
class InvoiceLine:
    line_no: int
    sku: str
    quantity: int
    unit_price: Decimal
    tax_rate: Decimal
    original_invoice_id: str | None = None
    original_line_no: int | None = None

    @property
    def line_total(self) -> Decimal:
        return money(self.unit_price * self.quantity)

    @property
    def tax(self) -> Decimal:
        return tax_on(self.line_total, self.tax_rate)


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
