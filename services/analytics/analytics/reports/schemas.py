"""Query and response bodies of the analytics API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from analytics.domain import GRANULARITIES
from analytics.reports.domain import GROUPS
from erp_shared.schemas import MAX_PAGE, Figure


class PeriodQuery(Schema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()


class SalesFigures(Schema):
    orders = fields.Int()
    units = fields.Int()
    revenue = Figure(metadata={"description": "Net of tax, before credit notes."})
    returned_units = fields.Int()
    net_revenue = Figure(metadata={"description": "Revenue less what credit notes gave back."})
    cost = Figure(metadata={"description": "FIFO cost of the goods issued so far."})
    margin = Figure(metadata={"description": "Net revenue less cost."})
    returns_rate = fields.Float()


class PeriodFigures(SalesFigures):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    average_order_value = Figure()


class SummaryOut(PeriodFigures):
    previous_period = fields.Nested(PeriodFigures)


class SalesQuery(PeriodQuery):
    granularity = fields.Str(load_default="month", validate=validate.OneOf(GRANULARITIES))
    group_by = fields.Str(load_default="product", validate=validate.OneOf(GROUPS))
    # A report is read whole more often than a list, so its pages are larger.
    page = fields.Int(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Int(load_default=1000, validate=validate.Range(min=1, max=10_000))


class SalesItem(SalesFigures):
    period = fields.Date()
    key = fields.Str()


class SalesOut(Schema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    granularity = fields.Str()
    group_by = fields.Str()
    items = fields.List(fields.Nested(SalesItem))
    page = fields.Int()
    per_page = fields.Int()
    total = fields.Int()
