"""HTTP entry points of the inventory reports: parse, open the unit of work, call, render."""

from __future__ import annotations

from flask_smorest import Blueprint

from erp_shared.web import reading
from inventory.reports import schemas, service

blp = Blueprint("reports", __name__, url_prefix="/api/v1/inventory", description="Turnover")


@blp.route("/turnover", methods=["GET"])
@blp.arguments(schemas.PeriodQuery(), location="query")
@blp.response(200, schemas.TurnoverOut)
def turnover(query):
    with reading() as uow:
        return service.inventory_turnover(uow, query.get("from_"), query.get("to"))
