"""Request and response bodies of the sales-order API (unknown fields are rejected).

An order line carries only sku and quantity: a client-sent price is an unknown field.
"""

from __future__ import annotations

from marshmallow import Schema, fields, pre_dump, validate

from erp_shared.actors import Actor
from erp_shared.schemas import SKU, DecimalString, Figure, Money, PageQuery, PostalAddress, page_of
from orders.channels import CHANNELS
from orders.sales.domain import STATUSES


class OrderLineIn(Schema):
    sku = SKU()
    quantity = fields.Int(strict=True, required=True, validate=validate.Range(min=1, max=1_000_000))


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
    # The catalogue's name of the product (on an order as its customer follows it).
    name = fields.Str(allow_none=True)
    quantity = fields.Int()
    unit_price = Money()
    line_total = Figure()
    tax_rate = DecimalString(places=4)
    tax = Figure()
    shipped = fields.Int()
    returned = fields.Int()


class HistoryOut(Schema):
    status = fields.Str()
    at = fields.AwareDateTime()
    reason = fields.Str(allow_none=True)
    actor = Actor(allow_none=True)


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
    subtotal = Figure()
    tax = Figure()
    total = Figure()
    currency = fields.Str()
    rejection_reason = fields.Str(allow_none=True)
    rejected_for = fields.Str(allow_none=True)
    approved_by = Actor(allow_none=True)
    external_ref = fields.Str(allow_none=True)
    replaces_return_id = fields.Str(allow_none=True)
    placed_by = Actor()
    history = fields.List(fields.Nested(HistoryOut))
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class ShipmentOut(Schema):
    id = fields.Str()
    carrier = fields.Str(allow_none=True)
    tracking_number = fields.Str(allow_none=True)
    lines = fields.List(fields.Dict())
    invoice_id = fields.Str(allow_none=True)
    shipped_at = fields.AwareDateTime()


class InvoiceRef(Schema):
    id = fields.Str()
    number = fields.Str()
    kind = fields.Str()
    total = Figure()
    issued_at = fields.AwareDateTime()


class OrderTrackingOut(OrderOut):
    """An order as its customer follows it: with shipments and invoices."""

    shipments = fields.List(fields.Nested(ShipmentOut))
    invoices = fields.List(fields.Nested(InvoiceRef))
    invoice_id = fields.Str(allow_none=True)

    @pre_dump
    def flatten(self, tracking, **_kwargs):
        order, names = tracking["order"], tracking["names"]
        invoices = [i for i in tracking["invoices"] if i["kind"] == "invoice"]
        line_fields = [name for name in OrderLineOut._declared_fields if name != "name"]
        lines = [
            {name: getattr(line, name) for name in line_fields} | {"name": names.get(line.sku)}
            for line in order.lines
        ]
        return {name: getattr(order, name) for name in OrderOut._declared_fields} | {
            "lines": lines,
            "shipments": tracking["shipments"],
            "invoices": tracking["invoices"],
            "invoice_id": invoices[-1]["id"] if invoices else None,
        }


class OrderQuery(PageQuery):
    q = fields.Str(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Part of the order number, channel reference or customer name."},
    )
    customer_id = fields.Str(validate=validate.Length(min=1, max=36))
    status = fields.Str(validate=validate.OneOf(STATUSES))
    sort = fields.Str(
        validate=validate.OneOf(["newest", "oldest"]),
        load_default="newest",
        metadata={"description": "oldest: first placed first, as a pick list is worked."},
    )
    with_lines = fields.Bool(
        load_default=False,
        metadata={"description": "Each order with its lines (product names) and destination."},
    )
    channel = fields.Str(validate=validate.OneOf(CHANNELS))
    from_ = fields.AwareDateTime(data_key="from")
    to = fields.AwareDateTime()


class OrderSummary(Schema):
    id = fields.Str()
    number = fields.Str()
    status = fields.Str()
    customer_id = fields.Str()
    customer_name = fields.Str(allow_none=True, metadata={"description": "As the CRM names it."})
    external_ref = fields.Str(allow_none=True)
    # Only with `with_lines=true`.
    lines = fields.List(fields.Nested(lambda: PickLineOut()))
    shipping_address = fields.Dict(allow_none=True)
    channel = fields.Str()
    subtotal = Figure()
    tax = Figure()
    total = Figure()
    currency = fields.Str()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class PickLineOut(Schema):
    sku = fields.Str()
    name = fields.Str(allow_none=True)
    quantity = fields.Int()
    to_ship = fields.Int(metadata={"description": "Units not shipped yet."})


class CancelIn(Schema):
    reason = fields.Str(validate=validate.Length(min=1, max=500))


class ShipIn(Schema):
    carrier = fields.Str(validate=validate.Length(min=1, max=80))
    tracking_number = fields.Str(validate=validate.Length(min=1, max=120))
    # What leaves now; everything still to ship when left out.
    lines = fields.List(fields.Nested(OrderLineIn), validate=validate.Length(min=1, max=500))


class ShipOut(Schema):
    shipment_id = fields.Str()
    invoice_id = fields.Str()


OrderPage = page_of(OrderSummary)
