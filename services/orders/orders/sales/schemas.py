"""Request and response bodies of the sales-order API (unknown fields are rejected).

An order line carries only sku and quantity: a client-sent price is an unknown field.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from erp_shared.schemas import SKU, Money, PostalAddress
from orders.sales.domain import CHANNELS


class OrderLineIn(Schema):
    sku = SKU()
    quantity = fields.Int(required=True, validate=validate.Range(min=1, max=1_000_000))


class OrderIn(Schema):
    customer_id = fields.Str(required=True, validate=validate.Length(min=1, max=36))
    channel = fields.Str(required=True, validate=validate.OneOf(CHANNELS))
    lines = fields.List(
        fields.Nested(OrderLineIn), required=True, validate=validate.Length(min=1, max=500)
    )
    campaign_code = fields.Str(validate=validate.Length(min=1, max=64))
    shipping_address = fields.Nested(PostalAddress)
    note = fields.Str(validate=validate.Length(max=2000))


class OrderLineOut(Schema):
    sku = fields.Str()
    quantity = fields.Int()
    unit_price = Money()
    line_total = Money()


class HistoryOut(Schema):
    status = fields.Str()
    at = fields.AwareDateTime()
    reason = fields.Str(allow_none=True)


class OrderOut(Schema):
    id = fields.Str()
    number = fields.Str()
    status = fields.Str()
    customer_id = fields.Str()
    channel = fields.Str()
    campaign_code = fields.Str(allow_none=True)
    shipping_address = fields.Dict(allow_none=True)
    note = fields.Str(allow_none=True)
    lines = fields.List(fields.Nested(OrderLineOut))
    subtotal = Money()
    tax = Money()
    total = Money()
    currency = fields.Str()
    rejection_reason = fields.Str(allow_none=True)
    placed_by = fields.Str()
    history = fields.List(fields.Nested(HistoryOut))
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
