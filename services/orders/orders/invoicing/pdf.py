"""An invoice or credit note as a PDF (fpdf2), laid out as its recipient reads one: who sells,
whom it is for and where, the order it bills, when it is due, each product by name, the tax at
each rate and the totals. Set in Unicode fonts (invoicing.fonts), so a name in Chinese prints as
written."""

from __future__ import annotations

import logging

from fpdf import FPDF
from fpdf.fonts import FontFace

from erp_shared.money import money
from orders.invoicing.domain import Invoice
from orders.invoicing.fonts import Fonts, installed
from orders.invoicing.wording import words_for

log = logging.getLogger(__name__)
FAMILY = "text"


def _amount(value, currency: str) -> str:
    return f"{money(value):,.2f} {currency}"


def _address(address: dict | None) -> list[str]:
    if not address:
        return []
    return [address["line1"], f"{address['postal_code']} {address['city']}", address["country"]]


class _Document(FPDF):
    """A page of A4 in the installed fonts, or in Helvetica (Latin-1 only) without them."""

    def __init__(self, fonts: Fonts, needs_cjk: bool):
        super().__init__(format="A4")
        self.unicode = fonts.text is not None
        self.with_fallback = False
        if self.unicode:
            self.add_font(FAMILY, fname=fonts.text.path, collection_font_number=fonts.text.number)
            bold = fonts.bold or fonts.text
            self.add_font(FAMILY, "B", fname=bold.path, collection_font_number=bold.number)
            if needs_cjk and fonts.cjk is not None:
                for style in ("", "B"):
                    self.add_font(
                        "cjk", style, fname=fonts.cjk.path, collection_font_number=fonts.cjk.number
                    )
                self.set_fallback_fonts(["cjk"])
                self.with_fallback = True
        self.family = FAMILY if self.unicode else "Helvetica"
        self.wanted = (self.family, "", 10)

    def _set_again(self) -> None:
        """After a text set wholly in the fallback font, fpdf2 2.8 keeps that font as the
        current one and ignores set_font back to ours, so the next text prints as garbage
        (py-pdf/fpdf2#1488): going through another font resets it."""
        if self.with_fallback:
            super().set_font("helvetica")
            super().set_font(*self.wanted)

    def cell(self, *args, **kwargs):
        done = super().cell(*args, **kwargs)
        self._set_again()
        return done

    def multi_cell(self, *args, **kwargs):
        done = super().multi_cell(*args, **kwargs)
        self._set_again()
        return done

    def text_of(self, value) -> str:
        text = str(value)
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")

    def style(self, size: float, bold: bool = False) -> None:
        self.wanted = (self.family, "B" if bold else "", size)
        self.set_font(*self.wanted)

    def line(self, text, height: float = 5) -> None:
        self.multi_cell(0, height, self.text_of(text), new_x="LMARGIN", new_y="NEXT")


def _printed_text(invoice: Invoice, seller: dict, words: dict) -> str:
    buyer = invoice.buyer or {}
    parts = [*seller.values(), *(str(v) for v in buyer.values() if isinstance(v, str))]
    parts += _address(buyer.get("address"))
    parts += [line.name or "" for line in invoice.lines]
    return "".join(parts + list(words.values()))


def render(invoice: Invoice, seller: dict, original_number: str | None = None) -> bytes:
    """`original_number`: on a credit note, the number of the invoice it credits."""
    fonts = installed()
    words = words_for((invoice.buyer or {}).get("language"))
    printed = _printed_text(invoice, seller, words)
    missing = fonts.missing(printed)
    if missing:
        log.warning("%s: no installed font sets %s", invoice.number, "".join(sorted(missing)))
    needs_cjk = fonts.text is not None and not fonts.text.covers_all(printed)
    pdf = _Document(fonts, needs_cjk)
    title = f"{words[invoice.kind]} {invoice.number}"
    pdf.set_title(pdf.text_of(title))
    pdf.add_page()
    pdf.style(16, bold=True)
    pdf.line(title, 10)
    _parties(pdf, invoice, seller, words)
    _facts(pdf, invoice, original_number, words)
    _lines(pdf, invoice, words)
    _totals(pdf, invoice, words)
    return bytes(pdf.output())


def _parties(pdf: _Document, invoice: Invoice, seller: dict, words: dict) -> None:
    """The seller on the left, the buyer on the right, side by side."""
    buyer = invoice.buyer or {}
    sold_by = [seller["name"], seller["address"]]
    if seller.get("tax_id"):
        sold_by.append(words["tax_id"].format(tax_id=seller["tax_id"]))
    billed_to = [buyer.get("name") or words["customer"].format(customer_id=invoice.customer_id)]
    if buyer.get("company"):
        billed_to.append(buyer["company"])
    billed_to += _address(buyer.get("address"))
    if buyer.get("tax_id"):
        billed_to.append(words["tax_id"].format(tax_id=buyer["tax_id"]))
    if buyer.get("email"):
        billed_to.append(buyer["email"])
    top, half = pdf.get_y() + 2, (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    bottoms = []
    parties = ((words["from"], sold_by), (words["bill_to"], billed_to))
    for column, (heading, lines) in enumerate(parties):
        pdf.set_xy(pdf.l_margin + column * half, top)
        pdf.style(9, bold=True)
        pdf.cell(half, 5, pdf.text_of(heading), new_x="LEFT", new_y="NEXT")
        pdf.style(10)
        for text in lines:
            pdf.multi_cell(half - 4, 5, pdf.text_of(text), new_x="LEFT", new_y="NEXT")
        bottoms.append(pdf.get_y())
    pdf.set_xy(pdf.l_margin, max(bottoms) + 4)


def _facts(pdf: _Document, invoice: Invoice, original_number: str | None, words: dict) -> None:
    facts = [
        (words["issued"], invoice.issued_at.date().isoformat()),
        (words["order"], invoice.order_number),
    ]
    if invoice.due_on is not None:
        days = (invoice.due_on - invoice.issued_at.date()).days
        due = words["net_days"].format(date=invoice.due_on.isoformat(), days=days)
        facts.append((words["payment_due"], due))
    if invoice.kind == "credit_note" and (original_number or invoice.original_invoice_id):
        facts.append((words["credits_invoice"], original_number or invoice.original_invoice_id))
    pdf.style(10)
    for label, value in facts:
        pdf.style(10, bold=True)
        pdf.cell(35, 5, pdf.text_of(label))
        pdf.style(10)
        pdf.cell(0, 5, pdf.text_of(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _lines(pdf: _Document, invoice: Invoice, words: dict) -> None:
    currency = invoice.currency
    pdf.style(9)
    with pdf.table(
        col_widths=(70, 14, 30, 16, 26, 34),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=FontFace(emphasis="BOLD"),
        line_height=5,
    ) as table:
        headings = ("product", "quantity", "unit_price", "tax_rate", "tax", "amount")
        table.row(tuple(pdf.text_of(words[name]) for name in headings))
        for line in invoice.lines:
            product = f"{line.name}\n{line.sku}" if line.name else line.sku
            table.row(
                (
                    pdf.text_of(product),
                    str(line.quantity),
                    _amount(line.unit_price, currency),
                    f"{line.tax_rate * 100:.2f}",
                    _amount(line.tax, currency),
                    _amount(line.line_total, currency),
                )
            )
    pdf.ln(4)


def _totals(pdf: _Document, invoice: Invoice, words: dict) -> None:
    currency = invoice.currency
    rows = [
        (words["taxable_at"].format(rate=f"{rate.rate * 100:.2f}",
                                    taxable=_amount(rate.taxable, currency)),
         _amount(rate.tax, currency))
        for rate in invoice.tax_by_rate
    ]  # fmt: skip
    rows += [
        (words["subtotal"], _amount(invoice.subtotal, currency)),
        (words["tax"], _amount(invoice.tax, currency)),
        (words["total"], _amount(invoice.total, currency)),
    ]
    for number, (label, amount) in enumerate(rows):
        pdf.style(10, bold=number == len(rows) - 1)
        pdf.cell(150, 6, pdf.text_of(label), align="R")
        pdf.cell(0, 6, amount, align="R", new_x="LMARGIN", new_y="NEXT")
