"""HTTP entry points of analytics: parse, open the unit of work, call the use case, render."""

from __future__ import annotations

from flask_smorest import Blueprint

from analytics.reports import schemas, service
from erp_shared.web import reading

blp = Blueprint("analytics", __name__, url_prefix="/api/v1/analytics", description="Sales reports")


@blp.route("/summary", methods=["GET"])
@blp.arguments(schemas.PeriodQuery(), location="query")
@blp.response(200, schemas.SummaryOut)
def summary(query):
    with reading() as uow:
        return service.sales_summary(uow, query.get("from_"), query.get("to"))


@blp.route("/sales", methods=["GET"])
@blp.arguments(schemas.SalesQuery(), location="query")
@blp.response(200, schemas.SalesOut)
def sales(query):
    """Orders, units and revenue (net of tax) per day, week or month, by product, customer,
    channel or category, summed from figures the event handlers keep."""
    with reading() as uow:
        return service.sales_report(uow, query)
