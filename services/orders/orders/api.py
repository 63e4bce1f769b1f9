"""HTTP entry points of orders: parse, call the use case, render."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from erp_shared.web import current_engine
from orders import schemas, service

blp = Blueprint("orders", __name__, url_prefix="/api/v1", description="Sales orders")


@blp.route("/orders", methods=["POST"])
@blp.arguments(schemas.OrderIn)
@blp.response(201, schemas.OrderOut)
@blp.doc(
    parameters=[
        {
            "in": "header",
            "name": "Idempotency-Key",
            "schema": {"type": "string"},
            "description": "Retrying with the same key and body returns the same order.",
        }
    ]
)
def place_order(data):
    key = request.headers.get("Idempotency-Key") or None
    order, created = service.place_order(current_engine(), data, key)
    return order, 201, {} if created else {"Idempotent-Replayed": "true"}


@blp.route("/orders/<order_id>", methods=["GET"])
@blp.response(200, schemas.OrderOut)
def get_order(order_id):
    return service.get_order(current_engine(), order_id)
