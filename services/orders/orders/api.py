"""HTTP entry points of orders: parse, call the use case, render."""

from __future__ import annotations

from flask import g, request
from flask_smorest import Blueprint

from erp_shared.errors import Invalid
from erp_shared.web import current_engine
from orders import schemas, service

MAX_IDEMPOTENCY_KEY = 200

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
    if key is not None and len(key) > MAX_IDEMPOTENCY_KEY:
        raise Invalid(
            "The Idempotency-Key header is too long.",
            {"Idempotency-Key": [f"At most {MAX_IDEMPOTENCY_KEY} characters."]},
        )
    order, created = service.place_order(current_engine(), data, g.principal["sub"], key)
    return order, 201, {} if created else {"Idempotent-Replayed": "true"}


@blp.route("/orders/<order_id>", methods=["GET"])
@blp.response(200, schemas.OrderOut)
def get_order(order_id):
    return service.get_order(current_engine(), order_id)
