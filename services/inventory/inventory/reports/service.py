"""Report use cases: inventory turnover. Each takes the caller's unit of work."""

from __future__ import annotations

from datetime import date

from erp_shared.periods import period
from erp_shared.uow import UnitOfWork
from inventory.reports import db
from inventory.reports.domain import turnover


def inventory_turnover(uow: UnitOfWork, start: date | None, end: date | None) -> dict:
    chosen = period(start, end, uow.now.date())
    return {
        "from_": chosen.start,
        "to": chosen.end,
        "items": turnover(db.sku_values(uow.conn, chosen), chosen.days),
    }
