"""HTTP entry point of forecasts."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from analytics.forecast import service
from analytics.reports.domain import GRANULARITIES
from erp_shared.web import reading

blp = Blueprint("forecast", __name__, url_prefix="/api/v1/analytics", description="Forecasts")


class ForecastQuery(Schema):
    sku = fields.Str(validate=validate.Length(min=1, max=64))
    category = fields.Str(validate=validate.Length(min=1, max=100))
    granularity = fields.Str(load_default="month", validate=validate.OneOf(GRANULARITIES))
    horizon = fields.Int(load_default=6, validate=validate.Range(min=1, max=365))


class PointOut(Schema):
    period = fields.Date()
    forecast = fields.Float()
    lower = fields.Float()
    upper = fields.Float()


class BacktestOut(Schema):
    mase = fields.Float(allow_none=True)
    smape = fields.Float(allow_none=True)
    baseline_mase = fields.Float(allow_none=True)


class ForecastOut(Schema):
    sku = fields.Str(allow_none=True)
    category = fields.Str(allow_none=True)
    granularity = fields.Str()
    method = fields.Str()
    history_periods = fields.Int()
    points = fields.List(fields.Nested(PointOut))
    backtest = fields.Nested(BacktestOut)


@blp.route("/forecast", methods=["GET"])
@blp.arguments(ForecastQuery, location="query")
@blp.response(200, ForecastOut)
def forecast(query):
    """Demand of a SKU, a category or everything (neither given), with a 95% interval and the
    chosen method's backtest MASE and sMAPE beside the seasonal naive's MASE."""
    with reading() as uow:
        return service.forecast_demand(uow, query)
