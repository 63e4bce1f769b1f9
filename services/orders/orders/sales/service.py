"""Sales use cases: place an order and move it through its life. Each takes the caller's unit
of work and is load, call the aggregate, save."""

from __future__ import annotations

import uuid
from decimal import Decimal

from erp_shared.errors import Invalid, Unknown
from erp_shared.uow import UnitOfWork
from orders.replicas import service as replicas
from orders.sales import db
from orders.sales.domain import Order, order_number, price_lines


def place_order(uow: UnitOfWork, request: dict, caller: str, tax_rate: Decimal) -> Order:
    """Store a pending order, priced from the catalogue replica, and announce it."""
    if not replicas.knows_customer(uow, request["customer_id"]):
        raise Invalid(
            "The order is for an unknown customer.",
            {"customer_id": [f"Unknown customer {request['customer_id']}."]},
        )
    catalogue = replicas.catalogue_prices(uow, {line["sku"] for line in request["lines"]})
    lines, currency = price_lines(request["lines"], catalogue)
    year = uow.now.year
    order = Order.place(
        id=str(uuid.uuid4()),
        number=order_number(year, db.next_in_sequence(uow.conn, f"order-{year}")),
        customer_id=request["customer_id"],
        channel=request["channel"],
        lines=lines,
        currency=currency,
        tax_rate=tax_rate,
        placed_by=caller,
        at=uow.now,
        campaign_code=request.get("campaign_code"),
        shipping_address=request.get("shipping_address"),
        note=request.get("note"),
    )
    db.add(uow.conn, order)
    uow.collect([order])
    return order


def get_order(uow: UnitOfWork, order_id: str) -> Order:
    order = db.get(uow.conn, order_id)
    if order is None:
        raise Unknown(f"No order {order_id}.")
    return order


def confirm_order(uow: UnitOfWork, order_id: str) -> None:
    _answer_from_inventory(uow, order_id, lambda order: order.confirm(uow.now))


def reject_order(uow: UnitOfWork, order_id: str, reason: str) -> None:
    _answer_from_inventory(uow, order_id, lambda order: order.reject(reason, uow.now))


def _answer_from_inventory(uow: UnitOfWork, order_id: str, move) -> None:
    """An answer about an order this service never stored (another system's, or one rolled
    back) has nothing to move: it is ignored like a stale one."""
    order = db.get(uow.conn, order_id, for_update=True)
    if order is None:
        return
    history_before = len(order.history)
    move(order)
    db.save(uow.conn, order, history_before)
    uow.collect([order])
