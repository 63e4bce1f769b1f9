"""Invoicing use cases: bill a shipment, credit a return, record a payment, and show them.
Each takes the caller's unit of work, which saves the invoices it was handed and sends their
events at the commit."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal

from erp_shared import metrics
from erp_shared.errors import NotAllowed, Unknown
from erp_shared.uow import UnitOfWork
from orders import audit, numbering
from orders.invoicing import db, pdf
from orders.invoicing.domain import (
    Invoice,
    InvoiceLine,
    buyer_on_invoice,
    credit_lines,
    due_on,
    erased_buyer,
    invoice_number,
)
from orders.replicas import service as replicas


def _issue(uow: UnitOfWork, kind: str, order, lines: list[InvoiceLine], **details) -> Invoice:
    """Number, store and announce an invoice or credit note for `order`, naming its buyer and
    products as they are now: an invoice, once issued, never changes with them."""
    year = uow.now.year
    names = replicas.product_names(uow, {line.sku for line in lines})
    buyer = replicas.buyer(uow, order.customer_id)
    invoice = Invoice.issue(
        id=str(uuid.uuid4()),
        number=invoice_number(kind, year, numbering.next_number(uow.conn, kind, year)),
        kind=kind,
        order_id=order.id,
        order_number=order.number,
        customer_id=order.customer_id,
        currency=order.currency,
        lines=[replace(line, name=names.get(line.sku)) for line in lines],
        issued_at=uow.now,
        buyer=buyer_on_invoice(buyer, order.shipping_address),
        **details,
    )
    uow.add(db, invoice)
    after = {"number": invoice.number, "kind": invoice.kind, "total": invoice.total}
    audit.record(uow, "invoice", invoice.id, f"issue_{invoice.kind}", None, after)
    uow.on_commit(lambda: metrics.INVOICES_ISSUED.labels(uow.producer, kind).inc())
    return invoice


def invoice_shipment(uow: UnitOfWork, order, shipped_lines, payment_days: int) -> Invoice:
    """Bill what one shipment took: its lines at the order's prices and tax rates, due
    `payment_days` after today."""
    lines = [
        InvoiceLine(number, line.sku, line.quantity, line.unit_price, line.tax_rate)
        for number, line in enumerate(shipped_lines, start=1)
    ]
    return _issue(uow, "invoice", order, lines, due_on=due_on(uow.now, payment_days))


def credit_return(uow: UnitOfWork, order, return_id: str, returned: dict[str, int]) -> Invoice:
    """A credit note for the returned units, against the invoice lines that billed them."""
    lines = credit_lines(returned, db.creditable(uow.conn, order.id))
    if sum(line.quantity for line in lines) != sum(returned.values()):
        raise NotAllowed(f"Order {order.number} has no invoice for all the returned units.")
    original = lines[0].original_invoice_id
    return _issue(
        uow, "credit_note", order, lines, return_id=return_id, original_invoice_id=original
    )


def get_invoice(uow: UnitOfWork, invoice_id: str) -> Invoice:
    invoice = db.get(uow.conn, invoice_id)
    if invoice is None:
        raise Unknown(f"No invoice {invoice_id}.")
    return invoice


def invoice_pdf(uow: UnitOfWork, invoice_id: str, seller: dict) -> bytes:
    invoice = get_invoice(uow, invoice_id)
    original = invoice.original_invoice_id and db.get(uow.conn, invoice.original_invoice_id)
    return pdf.render(invoice, seller, original.number if original else None)


def list_invoices(uow: UnitOfWork, filters: dict, offset: int, limit: int):
    return db.page(uow.conn, filters, offset, limit)


def pay_invoice(uow: UnitOfWork, invoice_id: str) -> Invoice:
    invoice = uow.load(db, invoice_id)
    if invoice is None:
        raise Unknown(f"No invoice {invoice_id}.")
    invoice.pay(uow.now)
    audit.record(uow, "invoice", invoice_id, "pay", {"paid_at": None}, {"paid_at": uow.now})
    return invoice


def forget_buyer(uow: UnitOfWork, customer_id: str) -> None:
    """The customer was erased: its invoices keep their numbers and amounts, not its name."""
    db.replace_buyer(uow.conn, customer_id, erased_buyer())


def settled_total(uow: UnitOfWork, customer_id: str) -> Decimal:
    return db.settled_total(uow.conn, customer_id)
