"""Loading and saving invoices and credit notes: the only SQL of the invoicing package."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from orders.invoicing.domain import Creditable, Invoice, InvoiceLine
from orders.tables import invoice_lines, invoices

_FIELDS = (
    "id",
    "number",
    "kind",
    "order_id",
    "order_number",
    "customer_id",
    "currency",
    "issued_at",
    "return_id",
    "original_invoice_id",
    "paid_at",
    "buyer",
    "due_on",
)
_LINE_FIELDS = (
    "line_no",
    "sku",
    "quantity",
    "unit_price",
    "tax_rate",
    "original_invoice_id",
    "original_line_no",
    "name",
)


def add(conn: Connection, invoice: Invoice) -> None:
    conn.execute(
        invoices.insert().values(
            **{name: getattr(invoice, name) for name in _FIELDS},
            subtotal=invoice.subtotal,
            tax=invoice.tax,
            total=invoice.total,
        )
    )
    conn.execute(
        invoice_lines.insert(),
        [
            {
                "invoice_id": invoice.id,
                **{name: getattr(line, name) for name in _LINE_FIELDS},
                "line_total": line.line_total,
                "tax": line.tax,
            }
            for line in invoice.lines
        ],
    )


def get(conn: Connection, invoice_id: str) -> Invoice | None:
    row = conn.execute(
        select(*(invoices.c[name] for name in _FIELDS)).where(invoices.c.id == invoice_id)
    ).first()
    if row is None:
        return None
    lines = conn.execute(
        select(*(invoice_lines.c[name] for name in _LINE_FIELDS))
        .where(invoice_lines.c.invoice_id == invoice_id)
        .order_by(invoice_lines.c.line_no)
    )
    return Invoice(**row._asdict(), lines=[InvoiceLine(**line._asdict()) for line in lines])


def page(conn: Connection, filters: dict, offset: int, limit: int) -> tuple[list[dict], int]:
    columns = ("id", "number", "kind", "order_id", "order_number", "customer_id", "currency")
    query = select(
        *(invoices.c[name] for name in columns),
        invoices.c.subtotal,
        invoices.c.tax,
        invoices.c.total,
        invoices.c.issued_at,
        invoices.c.due_on,
        invoices.c.paid_at,
        invoices.c.buyer,
    )
    for name in ("order_id", "customer_id", "kind"):
        if filters.get(name):
            query = query.where(invoices.c[name] == filters[name])
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(
        query.order_by(invoices.c.issued_at.desc(), invoices.c.number.desc())
        .offset(offset)
        .limit(limit)
    )
    return [row._asdict() for row in rows], total


def replace_buyer(conn: Connection, customer_id: str, buyer: dict) -> None:
    conn.execute(
        update(invoices)
        .where(invoices.c.customer_id == customer_id, invoices.c.buyer.is_not(None))
        .values(buyer=buyer)
    )


def creditable(conn: Connection, order_id: str) -> list[Creditable]:
    """The order's invoice lines, oldest first, less what credit notes already gave back."""
    credited = (
        select(
            invoice_lines.c.original_invoice_id,
            invoice_lines.c.original_line_no,
            func.sum(invoice_lines.c.quantity).label("units"),
        )
        .where(invoice_lines.c.original_invoice_id.is_not(None))
        .group_by(invoice_lines.c.original_invoice_id, invoice_lines.c.original_line_no)
        .subquery()
    )
    rows = conn.execute(
        select(
            invoice_lines.c.invoice_id,
            invoice_lines.c.line_no,
            invoice_lines.c.sku,
            invoice_lines.c.unit_price,
            invoice_lines.c.tax_rate,
            (invoice_lines.c.quantity - func.coalesce(credited.c.units, 0)).label("remaining"),
        )
        .join(invoices, invoices.c.id == invoice_lines.c.invoice_id)
        .outerjoin(
            credited,
            (credited.c.original_invoice_id == invoice_lines.c.invoice_id)
            & (credited.c.original_line_no == invoice_lines.c.line_no),
        )
        .where(invoices.c.order_id == order_id, invoices.c.kind == "invoice")
        .order_by(invoices.c.issued_at, invoices.c.number, invoice_lines.c.line_no)
    )
    return [Creditable(*row) for row in rows]


def settled_total(conn: Connection, customer_id: str):
    """What the customer no longer owes: paid invoices and every credit note."""
    return conn.execute(
        select(func.coalesce(func.sum(invoices.c.total), 0)).where(
            invoices.c.customer_id == customer_id,
            (invoices.c.kind == "credit_note") | invoices.c.paid_at.is_not(None),
        )
    ).scalar_one()


def save(conn: Connection, invoice: Invoice) -> None:
    """An issued invoice changes only when it is paid; anything else writes nothing."""
    if invoice.paid_now:
        conn.execute(
            update(invoices).where(invoices.c.id == invoice.id).values(paid_at=invoice.paid_at)
        )
        invoice.paid_now = False
