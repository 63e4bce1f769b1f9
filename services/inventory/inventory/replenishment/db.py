"""Reorder settings and where each SKU stands against them: the only SQL of replenishment."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection

from erp_shared.db import built_once, dialect_insert
from inventory.replenishment.domain import ReorderPolicy, ReorderWatch
from inventory.tables import (
    products,
    reorder_settings,
    reorder_states,
    stock_days,
    stock_levels,
)

# The three statements below run for every line of every reservation, so they are built once.
_OWN_POLICY = select(
    reorder_settings.c.reorder_point,
    reorder_settings.c.reorder_quantity,
    reorder_settings.c.lead_time_days,
).where(
    reorder_settings.c.sku == bindparam("sku"),
    reorder_settings.c.warehouse == bindparam("warehouse"),
)
_LAST_STATE = (
    select(reorder_states.c.low, reorder_states.c.available, reorder_states.c.changed_at)
    .where(
        reorder_states.c.sku == bindparam("sku"),
        reorder_states.c.warehouse == bindparam("warehouse"),
    )
    .with_for_update()
)


@built_once
def _save_state(insert):
    statement = insert(reorder_states)
    changed = ("available", "reorder_point", "low", "changed_at")
    return statement.on_conflict_do_update(
        index_elements=[reorder_states.c.sku, reorder_states.c.warehouse],
        set_={name: statement.excluded[name] for name in changed},
    )


def warehouse_policy(conn: Connection, sku: str, warehouse: str) -> ReorderPolicy | None:
    row = conn.execute(_OWN_POLICY, {"sku": sku, "warehouse": warehouse}).first()
    return None if row is None else ReorderPolicy(*row)


def set_warehouse_policy(conn: Connection, sku: str, warehouse: str, policy: ReorderPolicy):
    values = {
        "reorder_point": policy.reorder_point,
        "reorder_quantity": policy.reorder_quantity,
        "lead_time_days": policy.lead_time_days,
    }
    statement = dialect_insert(conn)(reorder_settings).values(
        sku=sku, warehouse=warehouse, **values
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[reorder_settings.c.sku, reorder_settings.c.warehouse], set_=values
        )
    )


def get(conn: Connection, key: tuple[str, str], *, policy: ReorderPolicy) -> ReorderWatch:
    """Where the SKU stood in the warehouse when last seen, its state row locked until the
    transaction ends, so concurrent changes see each other's crossing."""
    sku, warehouse = key
    row = conn.execute(_LAST_STATE, {"sku": sku, "warehouse": warehouse}).first()
    if row is None:
        return ReorderWatch(sku, warehouse, policy)
    return ReorderWatch(sku, warehouse, policy, bool(row.low), row.available, row.changed_at)


def add(conn: Connection, watch: ReorderWatch) -> None:
    save(conn, watch)


def save(conn: Connection, watch: ReorderWatch) -> None:
    """Write where the SKU stands, if it was seen since loaded or last saved."""
    if not watch.changed:
        return
    conn.execute(
        _save_state(conn),
        {
            "sku": watch.sku,
            "warehouse": watch.warehouse,
            "available": watch.available,
            "reorder_point": watch.policy.reorder_point,
            "low": watch.low,
            "changed_at": watch.seen_at,
        },
    )
    watch.changed = False


def _low_stock_query(warehouse: str | None):
    """Every SKU and warehouse at or below its reorder point (the warehouse's own, else the
    product's), read from stock levels and the catalogue as they are now, so a changed reorder
    point shows at once."""
    own = reorder_settings
    point = func.coalesce(own.c.reorder_point, products.c.reorder_point)
    available = stock_levels.c.on_hand - stock_levels.c.reserved
    query = (
        select(
            stock_levels.c.sku,
            stock_levels.c.warehouse,
            available.label("available"),
            point.label("reorder_point"),
            func.coalesce(own.c.reorder_quantity, products.c.reorder_quantity).label(
                "reorder_quantity"
            ),
            func.coalesce(own.c.lead_time_days, products.c.lead_time_days).label("lead_time_days"),
            reorder_states.c.changed_at.label("low_since"),
        )
        .join(products, products.c.sku == stock_levels.c.sku)
        .outerjoin(
            own,
            (own.c.sku == stock_levels.c.sku) & (own.c.warehouse == stock_levels.c.warehouse),
        )
        .outerjoin(
            reorder_states,
            (reorder_states.c.sku == stock_levels.c.sku)
            & (reorder_states.c.warehouse == stock_levels.c.warehouse)
            & reorder_states.c.low.is_(True),
        )
        .where(available <= point)
    )
    if warehouse:
        query = query.where(stock_levels.c.warehouse == warehouse)
    return query


def low_stock(conn: Connection, warehouse: str | None, offset: int, limit: int):
    query = _low_stock_query(warehouse)
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(
        query.order_by(stock_levels.c.sku, stock_levels.c.warehouse).offset(offset).limit(limit)
    )
    return rows.all(), total


def low_skus(conn: Connection, warehouse: str | None) -> set[str]:
    return {row.sku for row in conn.execute(_low_stock_query(warehouse))}


def daily_units_issued(conn: Connection, sku: str, since: date) -> dict[date, int]:
    rows = conn.execute(
        select(stock_days.c.day, stock_days.c.units_issued).where(
            stock_days.c.sku == sku, stock_days.c.day >= since
        )
    )
    return {row.day: row.units_issued for row in rows}
