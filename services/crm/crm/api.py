"""HTTP entry points of the CRM: parse, call the use case, render."""

from __future__ import annotations

from flask_smorest import Blueprint

from crm import schemas, service
from erp_shared.web import current_engine

blp = Blueprint("crm", __name__, url_prefix="/api/v1", description="Customers")


@blp.route("/customers", methods=["POST"])
@blp.arguments(schemas.CustomerIn)
@blp.response(201, schemas.CustomerOut)
def register_customer(data):
    return service.register_customer(current_engine(), data)


@blp.route("/customers/<customer_id>", methods=["GET"])
@blp.response(200, schemas.CustomerOut)
def get_customer(customer_id):
    return service.get_customer(current_engine(), customer_id)
