"""HTTP entry points of analytics: parse, call the use case, render."""

from __future__ import annotations

from flask_smorest import Blueprint

from analytics import schemas, service
from erp_shared.web import current_engine

blp = Blueprint("analytics", __name__, url_prefix="/api/v1/analytics", description="Sales reports")


@blp.route("/summary", methods=["GET"])
@blp.arguments(schemas.PeriodQuery, location="query")
@blp.response(200, schemas.SummaryOut)
def summary(query):
    return service.sales_summary(current_engine(), query.get("from_"), query.get("to"))
