"""Report use cases: the summary beside the previous period, and sales by period and key.
Each takes the caller's unit of work."""

from __future__ import annotations

from datetime import date

from analytics.reports import db, domain
from erp_shared.periods import period
from erp_shared.uow import UnitOfWork


def sales_summary(uow: UnitOfWork, start: date | None, end: date | None) -> dict:
    """The period's figures beside those of the period of the same length before it."""
    current = period(start, end, uow.now.date())
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


def sales_report(uow: UnitOfWork, query: dict) -> dict:
    chosen = period(query.get("from_"), query.get("to"), uow.now.date())
    rows = db.sales(uow.conn, chosen.start, chosen.end, query["granularity"], query["group_by"])
    return {
        "from_": chosen.start,
        "to": chosen.end,
        "granularity": query["granularity"],
        "group_by": query["group_by"],
        "items": rows,
    }
