"""Query and response bodies of replenishment."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from erp_shared.schemas import MAX_QUANTITY, PageQuery, page_of


class AlertQuery(PageQuery):
    warehouse = fields.Str(validate=validate.Length(min=1, max=32))


class ReorderAlertOut(Schema):
    sku = fields.Str()
    warehouse = fields.Str()
    available = fields.Int()
    reorder_point = fields.Int()
    reorder_quantity = fields.Int()
    lead_time_days = fields.Int()
    suggested_quantity = fields.Int()
    low_since = fields.AwareDateTime(allow_none=True)
    safety_stock = fields.Int(allow_none=True)
    demand_based_reorder_point = fields.Int(allow_none=True)


class ReorderPolicyIn(Schema):
    reorder_point = fields.Int(
        strict=True, required=True, validate=validate.Range(min=0, max=MAX_QUANTITY)
    )
    reorder_quantity = fields.Int(
        strict=True, required=True, validate=validate.Range(min=0, max=MAX_QUANTITY)
    )
    lead_time_days = fields.Int(
        strict=True, required=True, validate=validate.Range(min=0, max=3650)
    )


class ReorderPolicyOut(ReorderPolicyIn):
    sku = fields.Str()
    warehouse = fields.Str()


ReorderAlertPage = page_of(ReorderAlertOut)
