"""Request and response bodies of the inventory API (unknown fields are rejected)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from erp_shared.schemas import CURRENCY, SKU, Money
from inventory.domain import DEFAULT_WAREHOUSE


class ProductIn(Schema):
    sku = SKU()
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    unit_price = Money(required=True)
    currency = CURRENCY(load_default="EUR")
    category = fields.Str(load_default=None, validate=validate.Length(max=100))
    reorder_point = fields.Int(load_default=0, validate=validate.Range(min=0))
    reorder_quantity = fields.Int(load_default=0, validate=validate.Range(min=0))
    lead_time_days = fields.Int(load_default=0, validate=validate.Range(min=0))


class ProductOut(Schema):
    sku = fields.Str()
    name = fields.Str()
    unit_price = Money()
    currency = fields.Str()
    category = fields.Str(allow_none=True)
    reorder_point = fields.Int()
    reorder_quantity = fields.Int()
    lead_time_days = fields.Int()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


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
