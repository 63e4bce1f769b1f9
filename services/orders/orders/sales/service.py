"""Sales use cases: place an order and move it through its life. Each takes the caller's unit
of work, loads or adds the order through it and calls the aggregate; the unit of work saves
the order and sends its events at the commit. Every write is audited."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from erp_shared import metrics
from erp_shared.errors import Invalid, Unknown
from erp_shared.uow import UnitOfWork
from orders import audit, numbering
from orders.invoicing import service as invoicing
from orders.pricing import TaxRates
from orders.replicas import service as replicas
from orders.sales import db
from orders.sales.domain import Order, order_number, price_lines, refuse_staff_channel


def _state(order: Order) -> dict:
    """What the audit trail keeps of an order before and after a change."""
    return {
        "status": order.status,
        "total": order.total,
        "lines": {line.sku: [line.quantity, line.shipped, line.returned] for line in order.lines},
    }


DECIDED = ("confirmed", "rejected")


def place_order(
    uow: UnitOfWork,
    request: dict,
    caller: str,
    taxes: TaxRates,
    *,
    free_of_charge: bool = False,
    replaces_return_id: str | None = None,
    by_customer: bool = False,
) -> Order:
    """Store a new order priced from the catalogue replica and announce it, or reject it at
    once when it does not fit the customer's credit limit. A customer places its own on the
    web channel only; a campaign code must be one CRM announced."""
    if by_customer:
        refuse_staff_channel(request["channel"])
    customer = replicas.customer(uow, request["customer_id"])
    catalogue = replicas.catalogue_prices(uow, {line["sku"] for line in request["lines"]})
    replicas.refuse_unreplicated(request, customer, catalogue)
    # The order's number is taken first (its counter is held to the commit, and given back
    # if the order is refused): every placement takes the counter before a customer's lock,
    # so an import placing many orders in one transaction cannot deadlock with one order.
    year = uow.now.year
    number = order_number(year, numbering.next_number(uow.conn, "order", year))
    if customer.credit_limit is not None:
        # Placements for one customer queue here until the one before commits, so each sums
        # the open orders with the other's already counted: two at once cannot both pass
        # the limit that only one fits.
        customer = replicas.customer(uow, customer.id, for_update=True)
    if customer.blocked:
        raise Invalid("The customer is blocked.", {"customer_id": [f"{customer.id} is blocked."]})
    code = request.get("campaign_code")
    if code is not None and not replicas.campaign_exists(uow, code):
        raise Invalid(
            "The order names a campaign code no campaign has.",
            {"campaign_code": [f"No campaign {code}."]},
        )
    lines, currency = price_lines(request["lines"], catalogue, taxes, free_of_charge)
    order = Order.place(
        at=uow.now,
        credit_limit=customer.credit_limit,
        open_amount=credit_in_use(uow, customer),
        id=str(uuid.uuid4()),
        number=number,
        customer_id=customer.id,
        channel=request["channel"],
        lines=lines,
        currency=currency,
        placed_by=caller,
        campaign_code=request.get("campaign_code"),
        shipping_address=request.get("shipping_address"),
        note=request.get("note"),
        external_ref=request.get("external_ref"),
        replaces_return_id=replaces_return_id,
    )
    uow.add(db, order)
    audit.record(uow, "order", order.id, "place", None, _state(order))
    tally(uow, order, None)
    return order


def credit_in_use(uow: UnitOfWork, customer) -> Decimal:
    """What the customer owes on open orders less what it has paid; only a customer with a
    credit limit is asked (two sums over its orders and invoices on every placement)."""
    if customer.credit_limit is None:
        return Decimal(0)
    owed = db.open_amount(uow.conn, customer.id) - invoicing.settled_total(uow, customer.id)
    return max(owed, Decimal(0))


def get_order(uow: UnitOfWork, order_id: str) -> Order:
    order = db.get(uow.conn, order_id)
    if order is None:
        raise Unknown(f"No order {order_id}.")
    return order


def track_order(uow: UnitOfWork, order_id: str) -> dict:
    """What a customer follows: the order, its history, shipments and invoices, and the
    catalogue's name of each product on it."""
    order = get_order(uow, order_id)
    invoices, _ = invoicing.list_invoices(uow, {"order_id": order_id}, 0, 200)
    return {
        "order": order,
        "names": replicas.product_names(uow, {line.sku for line in order.lines}),
        "shipments": db.shipments_of(uow.conn, order_id),
        "invoices": invoices,
    }


def history_since(uow: UnitOfWork, order_id: str, seen: int):
    get_order(uow, order_id)
    return db.history_of(uow.conn, order_id, after=seen)


def list_orders(uow: UnitOfWork, filters: dict, offset: int, limit: int):
    return db.page(uow.conn, filters, offset, limit)


def _change(uow: UnitOfWork, order_id: str, action: str, move, *, quiet_if_unknown=False):
    """Load the order locked, apply `move`, and audit and count what changed."""
    order = uow.load(db, order_id, for_update=True)
    if order is None:
        if quiet_if_unknown:
            return None
        raise Unknown(f"No order {order_id}.")
    before = _state(order)
    result = move(order)
    if not order.changed:
        return result  # a stale or repeated answer: nothing moved
    audit.record(uow, "order", order.id, action, before, _state(order))
    tally(uow, order, before["status"])
    return result


def tally(uow: UnitOfWork, order: Order, status_before: str | None) -> None:
    """Count the order in the business metrics once its change is committed: taken when new,
    decided when it has just become confirmed or rejected."""
    channel, status = order.channel, order.status
    if status_before is None:
        uow.on_commit(lambda: metrics.ORDERS_PLACED.labels(uow.producer, channel).inc())
    if status != status_before and status in DECIDED:
        uow.on_commit(lambda: metrics.ORDERS_DECIDED.labels(uow.producer, channel, status).inc())


# --- answers from inventory (events): stale or repeated ones change nothing ---------------


def confirm_order(uow: UnitOfWork, order_id: str) -> None:
    _change(
        uow, order_id, "confirm", lambda o: o.confirm(uow.now, uow.actor), quiet_if_unknown=True
    )


def reject_order(uow: UnitOfWork, order_id: str, reason: str) -> None:
    _change(
        uow,
        order_id,
        "reject",
        lambda o: o.reject(reason, uow.now, uow.actor),
        quiet_if_unknown=True,
    )


def hold_expired(uow: UnitOfWork, order_id: str) -> None:
    _change(uow, order_id, "expire", lambda o: o.expire(uow.now, uow.actor), quiet_if_unknown=True)


# --- what people ask ----------------------------------------------------------------------


def cancel_order(uow: UnitOfWork, order_id: str, reason: str | None = None) -> Order:
    return _change(uow, order_id, "cancel", lambda o: o.cancel(uow.now, uow.actor, reason) or o)


def approve_order(uow: UnitOfWork, order_id: str) -> Order:
    """Let an order over the credit limit through (who may is the access table's: admin)."""
    return _change(uow, order_id, "approve", lambda o: o.approve(uow.now, uow.actor) or o)


def ship_order(uow: UnitOfWork, order_id: str, shipment: dict, payment_days: int) -> dict:
    """Ship what is asked (all that is left by default) and bill it on one invoice, due
    `payment_days` later."""

    def ship(order: Order) -> dict:
        quantities = {line["sku"]: line["quantity"] for line in shipment.get("lines") or []}
        shipped = order.ship(quantities or None, uow.now, uow.actor)
        invoice = invoicing.invoice_shipment(uow, order, shipped, payment_days)
        shipment_id = str(uuid.uuid4())
        db.add_shipment(
            uow.conn,
            id=shipment_id,
            order_id=order.id,
            carrier=shipment.get("carrier"),
            tracking_number=shipment.get("tracking_number"),
            lines=[{"sku": line.sku, "quantity": line.quantity} for line in shipped],
            invoice_id=invoice.id,
            shipped_at=uow.now,
        )
        return {"shipment_id": shipment_id, "invoice_id": invoice.id}

    return _change(uow, order_id, "ship", ship)


def deliver_order(uow: UnitOfWork, order_id: str) -> Order:
    return _change(uow, order_id, "deliver", lambda o: o.deliver(uow.now, uow.actor) or o)


def take_back(uow: UnitOfWork, order_id: str, returned: dict[str, int]) -> Order:
    """Returned goods arrived: note them on the order's lines."""
    return _change(uow, order_id, "take_back", lambda o: o.take_back(returned) or o)


def forget_customer(uow: UnitOfWork, customer_id: str) -> None:
    """The customer was erased: their copy, the addresses and notes on their orders and the
    buyer on their invoices go; what they bought and for how much stays."""
    replicas.erase_customer(uow, customer_id)
    db.forget_personal_details(uow.conn, customer_id)
    invoicing.forget_buyer(uow, customer_id)


def move_customer(uow: UnitOfWork, merged_id: str, survivor_id: str) -> None:
    """Two CRM records were one customer: the survivor's orders now include the other's."""
    db.reassign_customer(uow.conn, merged_id, survivor_id)


def last_shipped_at(uow: UnitOfWork, order_id: str) -> datetime | None:
    return db.last_shipped_at(uow.conn, order_id)
