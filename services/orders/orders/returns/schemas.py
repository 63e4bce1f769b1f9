"""Request and response bodies of the returns API (unknown fields are rejected)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from erp_shared.actors import Actor
from erp_shared.schemas import SKU, PageQuery, page_of
from orders.returns.domain import CONDITIONS, RESOLUTIONS


class ReturnLineIn(Schema):
    sku = SKU()
    quantity = fields.Int(strict=True, required=True, validate=validate.Range(min=1, max=1_000_000))
    reason = fields.Str(validate=validate.Length(min=1, max=500))


class ReturnIn(Schema):
    order_id = fields.Str(required=True, validate=validate.Length(min=1, max=36))
    resolution = fields.Str(required=True, validate=validate.OneOf(RESOLUTIONS))
    lines = fields.List(
        fields.Nested(ReturnLineIn), required=True, validate=validate.Length(min=1, max=500)
    )


class ReceivedLineIn(Schema):
    sku = SKU()
    quantity = fields.Int(strict=True, required=True, validate=validate.Range(min=1, max=1_000_000))
    condition = fields.Str(required=True, validate=validate.OneOf(CONDITIONS))


class ReceiveIn(Schema):
    lines = fields.List(
        fields.Nested(ReceivedLineIn), required=True, validate=validate.Length(min=1, max=500)
    )


class ReturnLineOut(Schema):
    sku = fields.Str()
    quantity = fields.Int()
    reason = fields.Str(allow_none=True)
    condition = fields.Str(allow_none=True)


class ReturnOut(Schema):
    id = fields.Str()
    order_id = fields.Str()
    customer_id = fields.Str()
    resolution = fields.Str()
    status = fields.Str()
    lines = fields.List(fields.Nested(ReturnLineOut))
    requested_by = Actor()
    created_at = fields.AwareDateTime()
    received_at = fields.AwareDateTime(allow_none=True)
    credit_note_id = fields.Str(allow_none=True)
    replacement_order_id = fields.Str(allow_none=True)


class ReturnQuery(PageQuery):
    order_id = fields.Str(validate=validate.Length(min=1, max=36))
    customer_id = fields.Str(validate=validate.Length(min=1, max=36))
    status = fields.Str(validate=validate.OneOf(["requested", "received"]))


ReturnPage = page_of(ReturnOut)
