"""Sales replica use cases: keep analytics' copy of orders and products current, and the daily
sales figures in step with it. Each takes the caller's unit of work."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from analytics.domain import COUNTED_STATUSES
from analytics.sales_replica import db, domain, history
from erp_shared import idempotency
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


def load_history(uow: UnitOfWork, batch_id: str, lines: list[dict]) -> dict:
    """A batch of past sales into the daily figures, once per batch id."""
    good = history.checked(lines)
    replay = idempotency.first_time(uow.conn, HISTORY_SCOPE, batch_id, good)
    if replay is not None:
        return {"batch_id": batch_id, "lines": int(replay.result), "replayed": True}
    db.add_history(uow.conn, batch_id, good)
    db.add_figures(
        uow.conn,
        [
            (dimension, key, line["day"], {"orders": 1, **figures})
            for line in good
            for figures in ({"units": line["quantity"], "revenue": line["revenue"]},)
            for dimension, key in (("product", line["sku"]), ("channel", "history"))
        ],
    )
    idempotency.remember(uow.conn, HISTORY_SCOPE, batch_id, str(len(good)))
    return {"batch_id": batch_id, "lines": len(good), "replayed": False}


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


def move_customer(uow: UnitOfWork, merged_id: str, survivor_id: str) -> None:
    """Two CRM records were one customer: their sales count as the survivor's."""
    db.reassign_customer(uow.conn, merged_id, survivor_id)
