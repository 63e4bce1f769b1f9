"""Query and response bodies of the analytics API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from analytics.reports.domain import GRANULARITIES, GROUPS
from erp_shared.schemas import Money


class PeriodQuery(Schema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()


class Figures(Schema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    revenue = Money()
    orders = fields.Int()
    units = fields.Int()
    average_order_value = Money()
    returns_rate = fields.Float()


class SummaryOut(Figures):
    previous_period = fields.Nested(Figures)


class SalesQuery(PeriodQuery):
    granularity = fields.Str(load_default="month", validate=validate.OneOf(GRANULARITIES))
    group_by = fields.Str(load_default="product", validate=validate.OneOf(GROUPS))


class SalesItem(Schema):
    period = fields.Date()
    key = fields.Str()
    orders = fields.Int()
    units = fields.Int()
    revenue = Money()


class SalesOut(Schema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    granularity = fields.Str()
    group_by = fields.Str()
    items = fields.List(fields.Nested(SalesItem))
