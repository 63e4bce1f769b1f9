"""Basket use case: the association rules the orders that counted support now."""

from __future__ import annotations

from analytics.basket import db
from analytics.basket.domain import Rule, rules
from erp_shared.uow import UnitOfWork


def association_rules(uow: UnitOfWork, min_support: float, min_confidence: float) -> list[Rule]:
    return rules(db.baskets(uow.conn), min_support, min_confidence)
