"""HTTP entry points of the CRM: parse, open the unit of work, call the use case, render."""

from __future__ import annotations

from flask_smorest import Blueprint

from crm import schemas, service
from erp_shared.web import IDEMPOTENCY_KEY_DOC, created_once, reading, unit_of_work

blp = Blueprint("crm", __name__, url_prefix="/api/v1", description="Customers")


@blp.route("/customers", methods=["POST"])
@blp.arguments(schemas.CustomerIn)
@blp.response(201, schemas.CustomerOut)
@blp.doc(**IDEMPOTENCY_KEY_DOC)
def register_customer(data):
    with unit_of_work() as uow:
        customer, headers = created_once(
            uow,
            data,
            lambda: service.register_customer(uow, data),
            lambda customer_id: service.get_customer(uow, customer_id),
            id_of=lambda customer: customer.id,
        )
    return customer, 201, headers


@blp.route("/customers/<customer_id>", methods=["GET"])
@blp.response(200, schemas.CustomerOut)
def get_customer(customer_id):
    with reading() as uow:
        return service.get_customer(uow, customer_id)
