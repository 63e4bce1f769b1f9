"""Request and response bodies of the catalogue API (unknown fields are rejected)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from erp_shared.schemas import (
    CURRENCY,
    MAX_QUANTITY,
    SKU,
    Changes,
    JsonBoolean,
    Money,
    PageQuery,
    page_of,
)


class ProductIn(Schema):
    sku = SKU()
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    unit_price = Money(required=True)
    currency = CURRENCY(load_default="EUR")
    category = fields.Str(load_default=None, validate=validate.Length(max=100))
    reorder_point = fields.Int(
        strict=True, load_default=0, validate=validate.Range(min=0, max=MAX_QUANTITY)
    )
    reorder_quantity = fields.Int(
        strict=True, load_default=0, validate=validate.Range(min=0, max=MAX_QUANTITY)
    )
    lead_time_days = fields.Int(
        strict=True, load_default=0, validate=validate.Range(min=0, max=MAX_QUANTITY)
    )


class ProductPatch(Changes):
    """A correction of a product; its SKU and currency never change."""

    name = fields.Str(validate=validate.Length(min=1, max=200))
    unit_price = Money()
    category = fields.Str(allow_none=True, validate=validate.Length(max=100))
    reorder_point = fields.Int(strict=True, validate=validate.Range(min=0, max=MAX_QUANTITY))
    reorder_quantity = fields.Int(strict=True, validate=validate.Range(min=0, max=MAX_QUANTITY))
    lead_time_days = fields.Int(strict=True, validate=validate.Range(min=0, max=MAX_QUANTITY))
    active = JsonBoolean()


class ProductQuery(PageQuery):
    q = fields.Str(validate=validate.Length(min=1, max=100))
    category = fields.Str(validate=validate.Length(min=1, max=100))
    active = fields.Bool()


class ProductOut(Schema):
    sku = fields.Str()
    name = fields.Str()
    unit_price = Money()
    currency = fields.Str()
    category = fields.Str(allow_none=True)
    reorder_point = fields.Int()
    reorder_quantity = fields.Int()
    lead_time_days = fields.Int()
    active = fields.Bool()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


ProductPage = page_of(ProductOut)
