"""Competitor use cases: record what was seen, and compare us per SKU or category. Each takes
the caller's unit of work."""

from __future__ import annotations

import uuid
from datetime import timedelta

from analytics.competitors import db
from analytics.competitors.domain import WINDOW_DAYS, comparison
from erp_shared.errors import Invalid, Unknown
from erp_shared.uow import UnitOfWork


def record_observation(uow: UnitOfWork, seen: dict) -> dict:
    if not (seen.get("sku") or seen.get("category")):
        raise Invalid("Say what was observed.", {"sku": ["A sku or a category is needed."]})
    values = {"id": str(uuid.uuid4()), "recorded_by": uow.actor} | seen
    db.add(uow.conn, values)
    return values


def compare(uow: UnitOfWork, sku: str | None, category: str | None) -> list[dict]:
    since = uow.now - timedelta(days=WINDOW_DAYS)
    if sku:
        found = db.product(uow.conn, sku)
        if found is None:
            raise Unknown(f"No product with SKU {sku}.")
        skus = [found.sku]
    elif category:
        skus = db.skus_in(uow.conn, category)
    else:
        raise Invalid("Compare a sku or a category.", {"sku": ["A sku or a category."]})
    lines = []
    for each in skus:
        product = db.product(uow.conn, each)
        lines.append(
            comparison(
                each,
                product.unit_price,
                db.units_sold(uow.conn, each, since.date()),
                db.observations(uow.conn, each, product.category, since),
            )
        )
    return lines
