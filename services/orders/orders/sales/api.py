"""HTTP entry points of sales orders: parse, open the unit of work, call the use case, render."""

from __future__ import annotations

from flask_smorest import Blueprint

from erp_shared.web import (
    IDEMPOTENCY_KEY_DOC,
    caller,
    created_once,
    reading,
    settings,
    unit_of_work,
)
from orders.sales import schemas, service

blp = Blueprint("orders", __name__, url_prefix="/api/v1", description="Sales orders")


@blp.route("/orders", methods=["POST"])
@blp.arguments(schemas.OrderIn)
@blp.response(201, schemas.OrderOut)
@blp.doc(**IDEMPOTENCY_KEY_DOC)
def place_order(data):
    with unit_of_work() as uow:
        order, headers = created_once(
            uow,
            data,
            lambda: service.place_order(uow, data, caller(), settings().tax_rate),
            lambda order_id: service.get_order(uow, order_id),
            id_of=lambda order: order.id,
        )
    return order, 201, headers


@blp.route("/orders/<order_id>", methods=["GET"])
@blp.response(200, schemas.OrderOut)
def get_order(order_id):
    with reading() as uow:
        return service.get_order(uow, order_id)
