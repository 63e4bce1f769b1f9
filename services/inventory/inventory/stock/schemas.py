"""Request and response bodies of the stock API (unknown fields are rejected)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from erp_shared.schemas import SKU, Money
from inventory.stock.domain import DEFAULT_WAREHOUSE


class ReceiptLineIn(Schema):
    sku = SKU()
    quantity = fields.Int(required=True, validate=validate.Range(min=1, max=1_000_000_000))
    unit_cost = Money(required=True)
    lot = fields.Str(validate=validate.Length(min=1, max=64))


class ReceiptIn(Schema):
    warehouse = fields.Str(load_default=DEFAULT_WAREHOUSE, validate=validate.Length(min=1, max=32))
    received_at = fields.AwareDateTime()
    lines = fields.List(
        fields.Nested(ReceiptLineIn), required=True, validate=validate.Length(min=1)
    )


class ReceiptOut(Schema):
    id = fields.Str()
    warehouse = fields.Str()
    received_at = fields.AwareDateTime()
    lines = fields.List(fields.Nested(ReceiptLineIn))


class WarehouseStock(Schema):
    warehouse = fields.Str()
    on_hand = fields.Int()
    reserved = fields.Int()
    available = fields.Int()


class LotOut(Schema):
    lot = fields.Str()
    warehouse = fields.Str()
    received_at = fields.AwareDateTime()
    quantity = fields.Int()
    unit_cost = Money()


class StockOut(Schema):
    sku = fields.Str()
    on_hand = fields.Int()
    reserved = fields.Int()
    available = fields.Int()
    warehouses = fields.List(fields.Nested(WarehouseStock))
    lots = fields.List(fields.Nested(LotOut))
