"""Sales replica use cases: keep analytics' copy of orders and products current, and the daily
sales figures in step with it. Each takes the caller's unit of work."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from analytics.domain import COUNTED_STATUSES, month_of, week_of
from analytics.sales_replica import db, domain, history
from erp_shared import idempotency
from erp_shared.errors import Conflict
from erp_shared.money import money
from erp_shared.uow import UnitOfWork

HISTORY_SCOPE = "analytics.history"


def record_order_placed(uow: UnitOfWork, data: dict, placed_at: datetime) -> None:
    lines = [
        {"sku": line["sku"], "quantity": line["quantity"], "unit_price": line["unit_price"]}
        for line in data["lines"]
    ]
    db.record_placed(
        uow.conn,
        {
            "order_id": data["order_id"],
            "customer_id": data["customer_id"],
            "channel": data["channel"],
            "campaign_code": data.get("campaign_code"),
            "revenue": data["subtotal"],
            "total": data["total"],
            "currency": data["currency"],
            "units": sum(line["quantity"] for line in lines),
            "replacement": data.get("replaces_return_id") is not None,
        },
        lines,
        placed_at,
    )
    _settle_figures(uow, data["order_id"])


def record_order_status(uow: UnitOfWork, order_id: str, status: str, at: datetime) -> None:
    db.record_status(uow.conn, order_id, status, at)
    _settle_figures(uow, order_id)


def _settle_figures(uow: UnitOfWork, order_id: str) -> None:
    """An order is in the daily figures exactly while it counts and its lines are known, so
    its events may come in any order and a cancelled order leaves them again."""
    order, lines, adjustments = db.order_for_figures(uow.conn, order_id)
    counts = order.status in COUNTED_STATUSES and order.placed_at is not None and bool(lines)
    if counts == order.aggregated:
        return
    shares = domain.order_shares(order, lines, adjustments, 1 if counts else -1)
    db.add_figures(uow.conn, [(d, k, order.placed_at.date(), f) for d, k, f in shares])
    db.mark_aggregated(uow.conn, order_id, counts)


def _adjust(uow: UnitOfWork, order_id: str, changes: list[domain.Adjustment]) -> None:
    """Keep what happened to the goods with the order; if the order is already in the
    figures, its day's rows take the change now, otherwise when it comes to count.

    The order's row is taken first: recording it as `pending` makes a stub if there is none,
    as a status that overtakes order.placed does, and never moves a status back. With two
    workers, this event and the order's decision may be applied at once, and the row is what
    makes one wait for the other. Without it the decision could read the adjustments before
    this one committed while this one found no order to count it in, and the change would be
    lost."""
    db.record_status(uow.conn, order_id, "pending", uow.now)
    db.adjust(uow.conn, order_id, changes)
    order, lines, _ = db.order_for_figures(uow.conn, order_id)
    if order is None or not order.aggregated:
        return
    shares = domain.adjustment_shares(order, lines, changes)
    db.add_figures(uow.conn, [(d, k, order.placed_at.date(), f) for d, k, f in shares])


def record_return(uow: UnitOfWork, order_id: str, lines: list[dict]) -> None:
    """Goods came back: they count against the order's units in the returns rate."""
    changes = [domain.Adjustment(line["sku"], returned_units=line["quantity"]) for line in lines]
    _adjust(uow, order_id, changes)


def record_credit_note(uow: UnitOfWork, order_id: str, lines: list[dict]) -> None:
    """Revenue given back, net of tax, so reports can show revenue net of credit."""
    changes = [
        domain.Adjustment(
            line["sku"], credited=money(line["quantity"] * Decimal(line["unit_price"]))
        )
        for line in lines
    ]
    _adjust(uow, order_id, changes)


def record_cost(uow: UnitOfWork, order_id: str, lines: list[dict]) -> None:
    """The FIFO cost of the goods that left for the order: what its margin is taken from."""
    _adjust(
        uow,
        order_id,
        [domain.Adjustment(line["sku"], cost=Decimal(line["cost"])) for line in lines],
    )


def record_restock(uow: UnitOfWork, order_id: str, lines: list[dict]) -> None:
    """Returned goods went back on the shelf at the cost they left with: the order's cost
    of goods sold no longer carries it. Events from before the cost was sent change
    nothing."""
    changes = [
        domain.Adjustment(line["sku"], cost=-Decimal(line["cost"]))
        for line in lines
        if line.get("cost") is not None
    ]
    if changes:
        _adjust(uow, order_id, changes)


def load_history(uow: UnitOfWork, batch_id: str, lines: list[dict]) -> dict:
    """A batch of past sales into the figures and, where lines name their order, into the
    orders RFM, baskets and repeat purchases count, once per batch id. An order an earlier
    batch loaded is a conflict: the batch loads nothing."""
    good = history.checked(lines)
    replay = idempotency.first_time(uow.conn, HISTORY_SCOPE, batch_id, good)
    if replay is not None:
        return {"batch_id": batch_id, "lines": int(replay.result), "replayed": True}
    orders = {order.order_ref: order for order in history.past_orders(good)}
    loaded = db.known_orders(uow.conn, [order.order_id for order in orders.values()])
    if loaded:
        refs = sorted(ref for ref, order in orders.items() if order.order_id in loaded)
        raise Conflict(
            f"{len(refs)} orders of the batch were loaded by an earlier batch; nothing was loaded.",
            {"order_ref": refs[:20]},
        )
    buyers = _buyers(uow, {order.customer_ref for order in orders.values()} - {None})
    db.add_history(
        uow.conn,
        batch_id,
        [
            line
            | {"week": week_of(line["day"]), "month": month_of(line["day"])}
            | _bought_by(orders.get(line["order_ref"]), buyers)
            for line in good
        ],
    )
    db.add_past_orders(
        uow.conn, batch_id, [_past_order_row(order, buyers) for order in orders.values()]
    )
    db.add_history_figures(uow.conn, batch_id)
    idempotency.remember(uow.conn, HISTORY_SCOPE, batch_id, str(len(good)))
    return {"batch_id": batch_id, "lines": len(good), "replayed": False}


def _buyers(uow: UnitOfWork, refs: set[str]) -> dict[str, str]:
    """The customer id of each buyer a batch names: the CRM customer whose id or e-mail it
    is, else an external customer kept under the reference."""
    named = db.customers_named(uow.conn, sorted(refs))
    strangers = {ref: history.external_customer_id(ref) for ref in refs if ref not in named}
    db.keep_external_customers(
        uow.conn,
        [{"customer_id": id_, "customer_ref": ref.lower()} for ref, id_ in strangers.items()],
    )
    return named | strangers


def _bought_by(order: history.PastOrder | None, buyers: dict[str, str]) -> dict:
    if order is None:
        return {"order_id": None, "customer_id": None}
    return {"order_id": order.order_id, "customer_id": buyers.get(order.customer_ref)}


def _past_order_row(order: history.PastOrder, buyers: dict[str, str]) -> dict:
    return {
        "order_id": order.order_id,
        "customer_id": buyers.get(order.customer_ref),
        "channel": order.channel,
        "revenue": order.revenue,
        "total": order.revenue,
        "units": order.units,
        "status": "delivered",
        "placed_at": order.placed_at,
        "status_changed_at": order.placed_at,
        "aggregated": True,
        "replacement": False,
    }


def replicate_product(uow: UnitOfWork, data: dict, as_of: datetime) -> None:
    db.upsert_product(
        uow.conn,
        {
            "sku": data["sku"],
            "name": data["name"],
            "category": data.get("category"),
            "unit_price": data["unit_price"],
            "currency": data["currency"],
            "source_updated_at": as_of,
        },
    )


def replicate_customer(uow: UnitOfWork, data: dict, as_of) -> None:
    """Know the customer's e-mail, and take over the past orders a history import kept
    under it while CRM did not know them."""
    email = data.get("email")
    db.upsert_customer(
        uow.conn,
        {"customer_id": data["customer_id"], "email": email, "source_updated_at": as_of},
    )
    stranger = db.external_customer(uow.conn, email.lower()) if email else None
    if stranger is not None:
        db.reassign_customer(uow.conn, stranger, data["customer_id"])
        db.drop_external_customer(uow.conn, stranger)


def forget_customer(uow: UnitOfWork, customer_id: str) -> None:
    """An erased customer's e-mail is not kept here either."""
    db.forget_customer(uow.conn, customer_id)


def move_customer(uow: UnitOfWork, merged_id: str, survivor_id: str) -> None:
    """Two CRM records were one customer: their sales count as the survivor's."""
    db.reassign_customer(uow.conn, merged_id, survivor_id)
