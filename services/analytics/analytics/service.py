"""Analytics use cases: keep the sales replica current and answer reports from it."""

from __future__ import annotations

from datetime import date, datetime

from analytics import db, domain
from erp_shared.uow import UnitOfWork


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


def record_order_status(uow: UnitOfWork, order_id: str, status: str, at: datetime) -> None:
    db.record_status(uow.conn, order_id, status, at)


def move_customer(uow: UnitOfWork, merged_id: str, survivor_id: str) -> None:
    """Two CRM records were one customer: their sales count as the survivor's."""
    db.reassign_customer(uow.conn, merged_id, survivor_id)


def sales_summary(uow: UnitOfWork, start: date | None, end: date | None) -> dict:
    """The period's figures beside those of the period of the same length before it."""
    current = domain.period(start, end, uow.now.date())
    previous = current.previous()
    return {
        "from_": current.start,
        "to": current.end,
        **domain.summary(db.sales_totals(uow.conn, current)),
        "previous_period": {
            "from_": previous.start,
            "to": previous.end,
            **domain.summary(db.sales_totals(uow.conn, previous)),
        },
    }
