"""HTTP entry points of sales orders: parse, open the unit of work, call the use case, render."""

from __future__ import annotations

from flask_smorest import Blueprint

from erp_shared.web import IDEMPOTENCY_KEY_DOC, caller, create_once, reading, settings
from orders.sales import schemas, service

blp = Blueprint("orders", __name__, url_prefix="/api/v1", description="Sales orders")


@blp.route("/orders", methods=["POST"])
@blp.arguments(schemas.OrderIn)
@blp.response(201, schemas.OrderOut)
@blp.doc(**IDEMPOTENCY_KEY_DOC)
def place_order(data):
    return create_once(
        data,
        lambda uow, order: service.place_order(uow, order, caller(), settings().tax_rate),
        service.get_order,
    )


@blp.route("/orders/<order_id>", methods=["GET"])
@blp.response(200, schemas.OrderOut)
def get_order(order_id):
    with reading() as uow:
        return service.get_order(uow, order_id)
