"""Query and response bodies of the analytics API."""

from __future__ import annotations

from marshmallow import Schema, fields

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
