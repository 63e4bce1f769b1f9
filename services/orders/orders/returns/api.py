"""HTTP entry points of returns: parse, open the unit of work, call the use case, render."""

from __future__ import annotations

from flask_smorest import Blueprint

from erp_shared.web import (
    IDEMPOTENCY_KEY_DOC,
    caller,
    create_once,
    listed,
    only_own,
    own_only,
    reading,
    settings,
    unit_of_work,
)
from orders.returns import schemas, service
from orders.sales import service as sales

blp = Blueprint("returns", __name__, url_prefix="/api/v1", description="Returns")


@blp.route("/returns", methods=["POST"])
@blp.arguments(schemas.ReturnIn())
@blp.response(201, schemas.ReturnOut)
@blp.doc(**IDEMPOTENCY_KEY_DOC)
def request_return(data):
    with reading() as uow:
        order = sales.get_order(uow, data["order_id"])
    only_own(order.customer_id, f"No order {data['order_id']}.")
    return create_once(
        data,
        lambda uow, ret: service.request_return(uow, ret, caller(), settings().return_days),
        service.get_return,
    )


@blp.route("/returns", methods=["GET"])
@blp.arguments(schemas.ReturnQuery(), location="query")
@blp.response(200, schemas.ReturnPage)
def list_returns(query):
    with reading() as uow:
        mine = own_only(query)
        return listed(query, lambda offset, limit: service.list_returns(uow, mine, offset, limit))


@blp.route("/returns/<return_id>", methods=["GET"])
@blp.response(200, schemas.ReturnOut)
def get_return(return_id):
    with reading() as uow:
        found = service.get_return(uow, return_id)
    only_own(found.customer_id, f"No return {return_id}.")
    return found


@blp.route("/returns/<return_id>/receive", methods=["POST"])
@blp.arguments(schemas.ReceiveIn())
@blp.response(200, schemas.ReturnOut)
def receive_return(data, return_id):
    with unit_of_work() as uow:
        return service.receive_return(uow, return_id, data["lines"], caller(), settings().taxes)
