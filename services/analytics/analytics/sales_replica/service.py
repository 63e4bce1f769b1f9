"""Sales replica use cases: keep analytics' copy of orders and products current, and the daily
sales figures in step with it. Each takes the caller's unit of work."""

from __future__ import annotations

from datetime import datetime

from analytics.reports.domain import COUNTED_STATUSES
from analytics.sales_replica import db, history
from erp_shared import idempotency
from erp_shared.uow import UnitOfWork

DIMENSIONS = ("product", "customer", "channel")
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
    order, lines = db.order_for_figures(uow.conn, order_id)
    counts = order.status in COUNTED_STATUSES and order.placed_at is not None and bool(lines)
    if counts == order.aggregated:
        return
    sign = 1 if counts else -1
    day = order.placed_at.date()
    keys = {"customer": order.customer_id, "channel": order.channel}
    for dimension in DIMENSIONS:
        shares = (
            [(line.sku, [line]) for line in lines]
            if dimension == "product"
            else [(keys[dimension], lines)]
        )
        for key, share in shares:
            db.add_to_day(
                uow.conn,
                {
                    "dimension": dimension,
                    "key": key,
                    "day": day,
                    "orders": sign,
                    "units": sign * sum(line.quantity for line in share),
                    "revenue": sign * sum(line.quantity * line.unit_price for line in share),
                },
            )
    db.mark_aggregated(uow.conn, order_id, counts)


def load_history(uow: UnitOfWork, batch_id: str, lines: list[dict]) -> dict:
    """A batch of past sales into the daily figures, once per batch id."""
    good = history.checked(lines)
    replay = idempotency.first_time(uow.conn, HISTORY_SCOPE, batch_id, good)
    if replay is not None:
        return {"batch_id": batch_id, "lines": int(replay.result), "replayed": True}
    db.add_history(uow.conn, batch_id, good)
    for line in good:
        day = line["day"]
        for dimension, key in (("product", line["sku"]), ("channel", "history")):
            db.add_to_day(
                uow.conn,
                {
                    "dimension": dimension,
                    "key": key,
                    "day": day,
                    "orders": 1,
                    "units": line["quantity"],
                    "revenue": line["revenue"],
                },
            )
    idempotency.remember(uow.conn, HISTORY_SCOPE, batch_id, str(len(good)))
    return {"batch_id": batch_id, "lines": len(good), "replayed": False}


def record_return(uow: UnitOfWork, order_id: str, lines: list[dict], at: datetime) -> None:
    """Goods came back: they count against the order's units in the returns rate."""
    db.add_returned_units(uow.conn, order_id, sum(line["quantity"] for line in lines), at)


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
