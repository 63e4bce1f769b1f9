"""Replenishment use cases: watch each change of available stock against the reorder point,
and list what needs reordering. Each takes the caller's unit of work."""

from __future__ import annotations

from datetime import timedelta

from erp_shared import metrics
from erp_shared.uow import UnitOfWork
from inventory.catalogue import service as catalogue
from inventory.replenishment import db
from inventory.replenishment.domain import ReorderPolicy, demand_based_point, suggested_quantity

DEMAND_HISTORY_DAYS = 90


def policy(uow: UnitOfWork, sku: str, warehouse: str) -> ReorderPolicy:
    """The warehouse's own settings for the SKU, else the product's."""
    own = db.warehouse_policy(uow.conn, sku, warehouse)
    if own is not None:
        return own
    product = catalogue.get_product(uow, sku)
    return ReorderPolicy(product.reorder_point, product.reorder_quantity, product.lead_time_days)


def set_policy(uow: UnitOfWork, sku: str, warehouse: str, settings: dict) -> ReorderPolicy:
    catalogue.get_product(uow, sku)
    chosen = ReorderPolicy(**settings)
    db.set_warehouse_policy(uow.conn, sku, warehouse, chosen)
    return chosen


def watch(uow: UnitOfWork, sku: str, warehouse: str, available: int) -> None:
    """Called with every change of available stock; says stock.low once per crossing.

    What the transaction saw so far is saved first, so two changes of one SKU in one
    transaction see each other and the crossing is told once."""
    rules = policy(uow, sku, warehouse)
    uow.flush()
    if uow.load(db, (sku, warehouse), policy=rules).see(available, uow.now):
        uow.on_commit(lambda: metrics.STOCKOUTS.labels(uow.producer, warehouse).inc())


def reorder_alerts(
    uow: UnitOfWork, warehouse: str | None, service_level: float, offset: int, limit: int
) -> tuple[list[dict], int]:
    """Every SKU at or below its reorder point, what to order, and the demand-based point."""
    rows, total = db.low_stock(uow.conn, warehouse, offset, limit)
    items = []
    for row in rows:
        rules = ReorderPolicy(row.reorder_point, row.reorder_quantity, row.lead_time_days)
        computed = demand_based_point(
            _daily_demand(uow, row.sku), rules.lead_time_days, service_level
        )
        items.append(
            {
                "sku": row.sku,
                "warehouse": row.warehouse,
                "available": row.available,
                "reorder_point": rules.reorder_point,
                "reorder_quantity": rules.reorder_quantity,
                "lead_time_days": rules.lead_time_days,
                "suggested_quantity": suggested_quantity(row.available, rules),
                "low_since": row.low_since,
                "safety_stock": computed.safety_stock if computed else None,
                "demand_based_reorder_point": computed.reorder_point if computed else None,
            }
        )
    return items, total


def low_skus(uow: UnitOfWork, warehouse: str | None) -> set[str]:
    return db.low_skus(uow.conn, warehouse)


def _daily_demand(uow: UnitOfWork, sku: str) -> list[int]:
    """Units issued on each of the last DEMAND_HISTORY_DAYS days, zero where none were."""
    today = uow.now.date()
    since = today - timedelta(days=DEMAND_HISTORY_DAYS - 1)
    issued = db.daily_units_issued(uow.conn, sku, since)
    if not issued:
        return []
    return [issued.get(since + timedelta(days=n), 0) for n in range(DEMAND_HISTORY_DAYS)]
