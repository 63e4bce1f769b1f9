"""Repeat purchases use case: who buys again, how often, and who is late to."""

from __future__ import annotations

from analytics.repeat import db
from analytics.repeat.domain import repeaters, summary
from erp_shared.uow import UnitOfWork


def repeat_purchases(uow: UnitOfWork, offset: int, limit: int) -> dict:
    buyers = db.buyers(uow.conn)
    found = repeaters(buyers, uow.now.date())
    return {
        "summary": summary(buyers),
        "items": found[offset : offset + limit],
        "total": len(found),
    }
