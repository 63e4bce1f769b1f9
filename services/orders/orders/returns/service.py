"""Returns use cases: ask for a return, receive it (credit note or replacement order), show
them. Each takes the caller's unit of work; receiving composes with sales and invoicing in the
same transaction, so a return, its credit note or its replacement order commit together (the
unit of work saves each and sends their events at the commit)."""

from __future__ import annotations

import uuid

from erp_shared.errors import Unknown
from erp_shared.uow import UnitOfWork
from orders import audit
from orders.invoicing import service as invoicing
from orders.pricing import TaxRates
from orders.returns import db
from orders.returns.domain import Return
from orders.sales import service as sales


def request_return(uow: UnitOfWork, request: dict, caller: str, window_days: int) -> Return:
    order = sales.get_order(uow, request["order_id"])
    asked = db.asked_back(uow.conn, order.id)
    returnable = {line.sku: line.returnable - asked.get(line.sku, 0) for line in order.lines}
    ret = Return.request(
        order_status=order.status,
        returnable=returnable,
        last_shipped_at=sales.last_shipped_at(uow, order.id),
        window_days=window_days,
        id=str(uuid.uuid4()),
        order_id=order.id,
        customer_id=order.customer_id,
        resolution=request["resolution"],
        lines=request["lines"],
        requested_by=caller,
        created_at=uow.now,
    )
    uow.add(db, ret)
    audit.record(uow, "return", ret.id, "request", None, {"status": ret.status, "lines": ret.lines})
    return ret


def receive_return(
    uow: UnitOfWork, return_id: str, received: list[dict], caller: str, taxes: TaxRates
) -> Return:
    """The goods are back: note them on the order, then credit them or send replacements."""
    ret = uow.load(db, return_id, for_update=True)
    if ret is None:
        raise Unknown(f"No return {return_id}.")
    before = {"status": ret.status}
    back = ret.receive(received, uow.now)
    order = sales.take_back(uow, ret.order_id, back)
    if ret.resolution == "refund":
        ret.refunded_by(invoicing.credit_return(uow, order, ret.id, back).id)
    else:
        lines = [{"sku": sku, "quantity": quantity} for sku, quantity in back.items()]
        replacement = sales.place_order(
            uow,
            {"customer_id": order.customer_id, "channel": order.channel, "lines": lines},
            caller,
            taxes,
            free_of_charge=True,
            replaces_return_id=ret.id,
        )
        ret.exchanged_for(replacement.id)
    audit.record(
        uow, "return", ret.id, "receive", before, {"status": ret.status, "lines": ret.lines}
    )
    return ret


def get_return(uow: UnitOfWork, return_id: str) -> Return:
    ret = db.get(uow.conn, return_id)
    if ret is None:
        raise Unknown(f"No return {return_id}.")
    return ret


def list_returns(uow: UnitOfWork, filters: dict, offset: int, limit: int):
    return db.page(uow.conn, filters, offset, limit)
