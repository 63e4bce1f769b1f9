"""Report use cases: the summary beside the previous period, and sales by period and key.
Each takes the caller's unit of work."""

from __future__ import annotations

from datetime import date

from analytics.reports import db, domain
from analytics.reports.domain import Figures
from analytics.tables import FIGURES
from erp_shared.periods import Period, period
from erp_shared.uow import UnitOfWork


def _totals(uow: UnitOfWork, chosen: Period) -> dict:
    """Every channel's figures over the period: each order counts in exactly one channel."""
    rows, _ = db.sales(uow.conn, chosen.start, chosen.end, "month", "channel")
    return domain.summary(Figures.total(rows))


def sales_summary(uow: UnitOfWork, start: date | None, end: date | None) -> dict:
    """The period's figures beside those of the period of the same length before it."""
    current = period(start, end, uow.now.date())
    previous = current.previous()
    return {
        "from_": current.start,
        "to": current.end,
        **_totals(uow, current),
        "previous_period": {"from_": previous.start, "to": previous.end, **_totals(uow, previous)},
    }


def sales_report(uow: UnitOfWork, query: dict) -> dict:
    chosen = period(query.get("from_"), query.get("to"), uow.now.date())
    page, per_page = query["page"], query["per_page"]
    rows, total = db.sales(
        uow.conn,
        chosen.start,
        chosen.end,
        query["granularity"],
        query["group_by"],
        ((page - 1) * per_page, per_page),
    )
    items = [
        {
            "period": row["period"],
            "key": row["key"],
            **Figures(**{n: row[n] for n in FIGURES}).render(),
        }
        for row in rows
    ]
    return {
        "from_": chosen.start,
        "to": chosen.end,
        "granularity": query["granularity"],
        "group_by": query["group_by"],
        "items": items,
        "page": page,
        "per_page": per_page,
        "total": total,
    }
