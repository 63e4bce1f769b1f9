"""Response bodies of the invoicing API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from erp_shared.schemas import DecimalString, Figure, Money, PageQuery, page_of


class InvoiceLineOut(Schema):
    line_no = fields.Int()
    sku = fields.Str()
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
    lines = fields.List(fields.Nested(InvoiceLineOut))
    subtotal = Figure()
    tax = Figure()
    total = Figure()
    currency = fields.Str()
    issued_at = fields.AwareDateTime()
    original_invoice_id = fields.Str(allow_none=True)
    return_id = fields.Str(allow_none=True)
    paid_at = fields.AwareDateTime(allow_none=True)


class InvoiceSummary(Schema):
    id = fields.Str()
    number = fields.Str()
    kind = fields.Str()
    order_id = fields.Str()
    customer_id = fields.Str()
    subtotal = Figure()
    tax = Figure()
    total = Figure()
    currency = fields.Str()
    issued_at = fields.AwareDateTime()
    paid_at = fields.AwareDateTime(allow_none=True)


class InvoiceQuery(PageQuery):
    order_id = fields.Str(validate=validate.Length(min=1, max=36))
    customer_id = fields.Str(validate=validate.Length(min=1, max=36))
    kind = fields.Str(validate=validate.OneOf(["invoice", "credit_note"]))


InvoicePage = page_of(InvoiceSummary)
