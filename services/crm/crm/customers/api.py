"""HTTP entry points of customers: parse, open the unit of work, call the use case, render."""

from __future__ import annotations

from flask_smorest import Blueprint

from crm.customers import schemas, service
from erp_shared.schemas import PageQuery
from erp_shared.web import (
    IDEMPOTENCY_KEY_DOC,
    create_once,
    listed,
    only_own,
    own_customer,
    reading,
    unit_of_work,
)

blp = Blueprint("customers", __name__, url_prefix="/api/v1", description="Customers")


@blp.route("/customers", methods=["POST"])
@blp.arguments(schemas.CustomerIn())
@blp.response(201, schemas.CustomerOut)
@blp.doc(**IDEMPOTENCY_KEY_DOC)
def register_customer(data):
    return create_once(data, service.register_customer, service.get_customer)


@blp.route("/customers", methods=["GET"])
@blp.arguments(schemas.CustomerQuery(), location="query")
@blp.response(200, schemas.CustomerPage)
def search_customers(query):
    with reading() as uow:
        return listed(
            query, lambda offset, limit: service.search_customers(uow, query, offset, limit)
        )


@blp.route("/customers/<customer_id>", methods=["GET"])
@blp.response(200, schemas.CustomerOut)
def get_customer(customer_id):
    only_own(customer_id, f"No customer {customer_id}.")
    with reading() as uow:
        return service.get_customer(uow, customer_id)


@blp.route("/customers/<customer_id>", methods=["PATCH"])
@blp.arguments(schemas.CustomerPatch())
@blp.response(200, schemas.CustomerOut)
def update_customer(changes, customer_id):
    """Change a customer's details.

    Only the fields sent change. A customer may change its own details but not what staff
    decide about it: `credit_limit`, `blocked` and `tags` from a customer's token are
    refused with 403, each named in `errors`. An e-mail address another customer has is
    refused with 409, without saying whose it is."""
    only_own(customer_id, f"No customer {customer_id}.")
    with unit_of_work() as uow:
        return service.update_customer(
            uow, customer_id, changes, by_customer=own_customer() is not None
        )


@blp.route("/customers/<customer_id>/erase", methods=["POST"])
@blp.response(200, schemas.CustomerOut)
def erase_customer(customer_id):
    """GDPR erasure: personal fields anonymised here and in every service; totals kept."""
    with unit_of_work() as uow:
        return service.erase_customer(uow, customer_id)


@blp.route("/customers/<customer_id>/interactions", methods=["POST"])
@blp.arguments(schemas.InteractionIn())
@blp.response(201, schemas.InteractionOut)
def log_interaction(data, customer_id):
    with unit_of_work() as uow:
        return service.log_interaction(uow, customer_id, data)


@blp.route("/customers/<customer_id>/interactions", methods=["GET"])
@blp.arguments(PageQuery(), location="query")
@blp.response(200, schemas.InteractionPage)
def interactions(query, customer_id):
    with reading() as uow:
        return listed(
            query, lambda offset, limit: service.interactions_of(uow, customer_id, offset, limit)
        )
