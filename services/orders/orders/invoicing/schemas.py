"""Response bodies of the invoicing API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from erp_shared.schemas import DecimalString, Figure, Money, PageQuery, PostalAddress, page_of


class BuyerOut(Schema):
    name = fields.Str()
    company = fields.Str(allow_none=True)
    email = fields.Str(allow_none=True)
    tax_id = fields.Str(allow_none=True)
    address = fields.Nested(PostalAddress, allow_none=True)
    language = fields.Str(allow_none=True, metadata={"description": "Its documents' language."})


class TaxRateOut(Schema):
    rate = DecimalString(places=4)
    taxable = Figure(metadata={"description": "What the lines at this rate amount to, untaxed."})
    tax = Figure()


class InvoiceLineOut(Schema):
    line_no = fields.Int()
    sku = fields.Str()
    name = fields.Str(allow_none=True, metadata={"description": "The product's name at issue."})
    quantity = fields.Int()
    unit_price = Money()
    tax_rate = DecimalString(places=4)
    line_total = Figure()
    tax = Figure()
    original_invoice_id = fields.Str(allow_none=True)
    original_line_no = fields.Int(allow_none=True)


class InvoiceOut(Schema):
    id = fields.Str()
    number = fields.Str()
    kind = fields.Str()
    order_id = fields.Str()
    order_number = fields.Str(metadata={"description": "The billed order's number."})
    customer_id = fields.Str()
    buyer = fields.Nested(
        BuyerOut,
        allow_none=True,
        metadata={"description": "Whom it is for, as they were at issue (none before 2026-12)."},
    )
    lines = fields.List(fields.Nested(InvoiceLineOut))
    subtotal = Figure()
    tax = Figure()
    tax_by_rate = fields.List(fields.Nested(TaxRateOut), metadata={"description": "Tax per rate."})
    total = Figure()
    currency = fields.Str()
    issued_at = fields.AwareDateTime()
    due_on = fields.Date(allow_none=True, metadata={"description": "When payment is due."})
    original_invoice_id = fields.Str(allow_none=True)
    return_id = fields.Str(allow_none=True)
    paid_at = fields.AwareDateTime(allow_none=True)


class InvoiceSummary(Schema):
    id = fields.Str()
    number = fields.Str()
    kind = fields.Str()
    order_id = fields.Str()
    order_number = fields.Str()
    customer_id = fields.Str()
    buyer_name = fields.Function(
        lambda invoice: (invoice.get("buyer") or {}).get("name"),
        metadata={"description": "Whom it is for, as at issue.", "type": "string"},
    )
    subtotal = Figure()
    tax = Figure()
    total = Figure()
    currency = fields.Str()
    issued_at = fields.AwareDateTime()
    due_on = fields.Date(allow_none=True)
    paid_at = fields.AwareDateTime(allow_none=True)


class InvoiceQuery(PageQuery):
    order_id = fields.Str(validate=validate.Length(min=1, max=36))
    customer_id = fields.Str(validate=validate.Length(min=1, max=36))
    kind = fields.Str(validate=validate.OneOf(["invoice", "credit_note"]))


InvoicePage = page_of(InvoiceSummary)
