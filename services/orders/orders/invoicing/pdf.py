"""An invoice or credit note as a PDF (fpdf2): the seller, the buyer, the lines, tax, totals."""

from __future__ import annotations

from fpdf import FPDF

from erp_shared.money import money
from orders.invoicing.domain import Invoice

TITLES = {"invoice": "Invoice", "credit_note": "Credit note"}


def _text(value) -> str:
    """The PDF's core fonts know Latin-1 only; anything else prints as '?'."""
    return str(value).encode("latin-1", "replace").decode("latin-1")


def render(invoice: Invoice, seller: dict) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(_text(f"{TITLES[invoice.kind]} {invoice.number}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(
        0, 10, _text(f"{TITLES[invoice.kind]} {invoice.number}"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("Helvetica", size=10)
    for line in (seller["name"], seller["address"], f"Tax id: {seller['tax_id']}"):
        pdf.cell(0, 5, _text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    facts = [
        ("Issued", invoice.issued_at.date().isoformat()),
        ("Customer", invoice.customer_id),
        ("Order", invoice.order_number),
    ]
    if invoice.original_invoice_id:
        facts.append(("Credits invoice", invoice.original_invoice_id))
    for label, value in facts:
        pdf.cell(0, 5, _text(f"{label}: {value}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (60, 20, 30, 20, 30, 30)
    pdf.set_font("Helvetica", "B", 10)
    for width, heading in zip(
        widths, ("SKU", "Qty", "Unit price", "Tax %", "Tax", "Amount"), strict=True
    ):
        pdf.cell(width, 7, heading, border=1)
    pdf.ln()
    pdf.set_font("Helvetica", size=10)
    for line in invoice.lines:
        cells = (
            line.sku,
            str(line.quantity),
            str(money(line.unit_price)),
            f"{line.tax_rate * 100:.2f}",
            str(line.tax),
            str(line.line_total),
        )
        for width, cell in zip(widths, cells, strict=True):
            pdf.cell(width, 7, _text(cell), border=1)
        pdf.ln()
    pdf.ln(4)
    for label, amount in (
        ("Subtotal", invoice.subtotal),
        ("Tax", invoice.tax),
        ("Total", invoice.total),
    ):
        pdf.cell(160, 6, label, align="R")
        pdf.cell(
            30, 6, _text(f"{amount} {invoice.currency}"), align="R", new_x="LMARGIN", new_y="NEXT"
        )
    return bytes(pdf.output())
