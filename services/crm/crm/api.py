"""HTTP entry points of the CRM: parse, open the unit of work, call the use case, render."""

from __future__ import annotations

from flask_smorest import Blueprint

from crm import schemas, service
from erp_shared.web import IDEMPOTENCY_KEY_DOC, create_once, reading

blp = Blueprint("crm", __name__, url_prefix="/api/v1", description="Customers")


@blp.route("/customers", methods=["POST"])
@blp.arguments(schemas.CustomerIn)
@blp.response(201, schemas.CustomerOut)
@blp.doc(**IDEMPOTENCY_KEY_DOC)
def register_customer(data):
    return create_once(data, service.register_customer, service.get_customer)


@blp.route("/customers/<customer_id>", methods=["GET"])
@blp.response(200, schemas.CustomerOut)
def get_customer(customer_id):
    with reading() as uow:
        return service.get_customer(uow, customer_id)
