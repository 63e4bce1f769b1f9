"""HTTP entry point of forecasts."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from analytics.domain import GRANULARITIES
from analytics.forecast import catalogue, service
from erp_shared.schemas import PageQuery, page_of
from erp_shared.web import listed, reading, unit_of_work

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
    recent_average = fields.Float(
        allow_none=True,
        metadata={"description": "Mean demand of the last 3 periods: the recent run rate."},
    )
    points = fields.List(fields.Nested(PointOut))
    backtest = fields.Nested(BacktestOut)


@blp.route("/forecast", methods=["GET"])
@blp.arguments(ForecastQuery(), location="query")
@blp.response(200, ForecastOut)
def forecast(query):
    """Demand of a SKU, a category or everything (neither given), with a 95% interval and the
    chosen method's backtest MASE and sMAPE beside the seasonal naive's MASE."""
    with reading() as uow:
        return service.forecast_demand(uow, query)


class RunIn(Schema):
    granularity = fields.Str(load_default="month", validate=validate.OneOf(GRANULARITIES))
    horizon = fields.Int(load_default=6, validate=validate.Range(min=1, max=365))


class RunOut(Schema):
    id = fields.Str()
    granularity = fields.Str()
    horizon = fields.Int()
    status = fields.Str(
        metadata={
            "description": "queued, running, done, or failed (it could not finish; ask "
            "again). A run whose worker died stays running: after "
            f"{catalogue.ABANDONED_AFTER.seconds // 60} minutes without progress another "
            "worker takes over the SKUs it left"
        }
    )
    total = fields.Int(metadata={"description": "SKUs to forecast"})
    done = fields.Int(metadata={"description": "SKUs forecast so far"})
    requested_at = fields.AwareDateTime()
    requested_by = fields.Str(allow_none=True)
    started_at = fields.AwareDateTime(allow_none=True)
    finished_at = fields.AwareDateTime(allow_none=True)


class RunResultOut(Schema):
    sku = fields.Str()
    method = fields.Str()
    points = fields.List(fields.Nested(PointOut))
    backtest = fields.Nested(BacktestOut)


@blp.route("/forecast/runs", methods=["POST"])
@blp.arguments(RunIn(), required=False)
@blp.response(202, RunOut)
def request_run(data):
    """Forecast every SKU sold, in the background: the answer is the queued run, whose
    progress (done of total) its own URL gives while the analytics worker works on it.

    While a run of the same granularity and horizon is queued or running, asking again
    answers that run (202 with its id and Location) instead of queuing another."""
    with unit_of_work() as uow:
        run = catalogue.request_run(uow, data["granularity"], data["horizon"])
    return run, 202, {"Location": f"/api/v1/analytics/forecast/runs/{run['id']}"}


@blp.route("/forecast/runs/<run_id>", methods=["GET"])
@blp.response(200, RunOut)
def run_status(run_id):
    with reading() as uow:
        return catalogue.run_status(uow, run_id)


@blp.route("/forecast/runs/<run_id>/items", methods=["GET"])
@blp.arguments(PageQuery(), location="query")
@blp.response(200, page_of(RunResultOut))
def run_results(query, run_id):
    """The SKUs forecast so far, by SKU."""
    with reading() as uow:
        return listed(
            query, lambda offset, limit: catalogue.run_results(uow, run_id, offset, limit)
        )
