"""Query and response bodies of the inventory reports."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from erp_shared.schemas import Figure


class PeriodQuery(Schema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()


class TurnoverLine(Schema):
    sku = fields.Str()
    cogs = Figure()
    opening_value = Figure()
    closing_value = Figure()
    average_inventory_value = Figure()
    turnover = fields.Float(allow_none=True)
    days_of_inventory = fields.Float(allow_none=True)
    abc_class = fields.Str(validate=validate.OneOf("ABC"))


class TurnoverOut(Schema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    items = fields.List(fields.Nested(TurnoverLine))
