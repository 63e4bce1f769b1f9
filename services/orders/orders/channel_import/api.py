"""HTTP entry point of order imports: a CSV body in, counts and row errors out."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from erp_shared.web import caller, settings, unit_of_work
from orders.channel_import import schemas, service
from orders.channel_import.domain import HEADER

blp = Blueprint("channel_import", __name__, url_prefix="/api/v1", description="Order imports")


@blp.route("/orders/import", methods=["POST"])
@blp.response(200, schemas.ImportOut)
@blp.doc(
    requestBody={
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": f"UTF-8 CSV with the header {','.join(HEADER)}; one line per order line.",
    }
)
def import_orders():
    with unit_of_work() as uow:
        return service.import_orders(uow, request.get_data(), caller(), settings().taxes)
