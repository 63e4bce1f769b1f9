"""Analytics use cases: keep the sales replica current and answer reports from it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine

from analytics import db, domain
from erp_shared.db import read_only
from erp_shared.errors import Invalid
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


def sales_summary(engine: Engine, start: date | None, end: date | None) -> dict:
    try:
        current = domain.period(start, end, datetime.now(UTC).date())
    except ValueError as exc:
        raise Invalid(str(exc), {"from": [str(exc)]}) from None
    with read_only(engine) as conn:
        figures = db.sales_totals(conn, current)
        previous = db.sales_totals(conn, current.previous())
    return {
        "from_": current.start,
        "to": current.end,
        **domain.summary(*figures),
        "previous_period": {
            "from_": current.previous().start,
            "to": current.previous().end,
            **domain.summary(*previous),
        },
    }
