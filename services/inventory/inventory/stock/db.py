"""Warehouses, stock levels, lots and the movement ledger: the only SQL of the stock package.

A stock level changes only together with a ledger row, in one transaction. Every change is a
conditional UPDATE that refuses to break the level's invariants (on_hand >= reserved >= 0), so
concurrent transactions cannot oversell even before the CHECK constraints would stop them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection

from erp_shared.db import dialect_insert, insert_unique
from erp_shared.errors import Conflict
from inventory.stock.domain import StockLevel, StockLot
from inventory.tables import (
    lot_issues,
    lots,
    movements,
    receipts,
    returned_goods,
    stock_days,
    stock_levels,
    warehouses,
)

# --- warehouses ----------------------------------------------------------------------------


def add_warehouse(conn: Connection, code: str, name: str, at: datetime) -> None:
    insert_unique(
        conn,
        warehouses.insert().values(code=code, name=name, created_at=at),
        Conflict(f"Warehouse {code} exists.", {"code": ["Already taken."]}),
    )


_WAREHOUSE = (warehouses.c.code, warehouses.c.name, warehouses.c.created_at)


def warehouse_list(conn: Connection) -> list[dict]:
    rows = conn.execute(select(*_WAREHOUSE).order_by(warehouses.c.code))
    return [row._asdict() for row in rows]


def warehouse(conn: Connection, code: str) -> dict | None:
    row = conn.execute(select(*_WAREHOUSE).where(warehouses.c.code == code)).first()
    return None if row is None else row._asdict()


def known_warehouses(conn: Connection, codes) -> set[str]:
    return set(conn.scalars(select(warehouses.c.code).where(warehouses.c.code.in_(list(codes)))))


# --- levels --------------------------------------------------------------------------------


_NEW_ON_HAND = stock_levels.c.on_hand + bindparam("on_hand_change")
_NEW_RESERVED = stock_levels.c.reserved + bindparam("reserved_change")
# Every hold, release and shipment moves a level: built once, the deltas bound at each call.
_CHANGE_LEVEL = (
    update(stock_levels)
    .where(
        stock_levels.c.sku == bindparam("level_sku"),
        stock_levels.c.warehouse == bindparam("level_warehouse"),
        _NEW_RESERVED >= 0,
        _NEW_RESERVED <= _NEW_ON_HAND,
    )
    .values(on_hand=_NEW_ON_HAND, reserved=_NEW_RESERVED)
    .returning(stock_levels.c.on_hand, stock_levels.c.reserved)
)


def change_level(
    conn: Connection, sku: str, warehouse: str, on_hand: int = 0, reserved: int = 0
) -> StockLevel | None:
    """Apply the deltas if the level stays whole (reserved within on_hand, both >= 0);
    the new level, or None when it would not (nothing changed)."""
    row = conn.execute(
        _CHANGE_LEVEL,
        {
            "level_sku": sku,
            "level_warehouse": warehouse,
            "on_hand_change": on_hand,
            "reserved_change": reserved,
        },
    ).first()
    return None if row is None else StockLevel(warehouse, row.on_hand, row.reserved)


def add_on_hand(conn: Connection, sku: str, warehouse: str, quantity: int) -> StockLevel:
    """Goods come in: the level is created at the first receipt."""
    statement = dialect_insert(conn)(stock_levels).values(
        sku=sku, warehouse=warehouse, on_hand=quantity, reserved=0
    )
    row = conn.execute(
        statement.on_conflict_do_update(
            index_elements=[stock_levels.c.sku, stock_levels.c.warehouse],
            set_={"on_hand": stock_levels.c.on_hand + quantity},
        ).returning(stock_levels.c.on_hand, stock_levels.c.reserved)
    ).one()
    return StockLevel(warehouse, row.on_hand, row.reserved)


def level_for_update(conn: Connection, sku: str, warehouse: str) -> StockLevel:
    row = conn.execute(
        select(stock_levels.c.on_hand, stock_levels.c.reserved)
        .where(stock_levels.c.sku == sku, stock_levels.c.warehouse == warehouse)
        .with_for_update()
    ).first()
    return StockLevel(warehouse, row.on_hand, row.reserved) if row else StockLevel(warehouse, 0, 0)


_AVAILABILITY = (
    select(
        stock_levels.c.sku,
        stock_levels.c.warehouse,
        stock_levels.c.on_hand,
        stock_levels.c.reserved,
    )
    .where(stock_levels.c.sku.in_(bindparam("skus", expanding=True)))
    .order_by(stock_levels.c.sku, stock_levels.c.warehouse)
    .with_for_update()
)


def lock_availability(conn: Connection, skus) -> dict[str, dict[str, int]]:
    """Available stock per SKU and warehouse, row-locked (PostgreSQL) in a fixed order so
    concurrent reservations queue behind each other instead of deadlocking."""
    rows = conn.execute(_AVAILABILITY, {"skus": sorted(skus)})
    available: dict[str, dict[str, int]] = {}
    for row in rows:
        available.setdefault(row.sku, {})[row.warehouse] = row.on_hand - row.reserved
    return available


def levels(conn: Connection, sku: str) -> list[StockLevel]:
    rows = conn.execute(
        select(stock_levels.c.warehouse, stock_levels.c.on_hand, stock_levels.c.reserved)
        .where(stock_levels.c.sku == sku)
        .order_by(stock_levels.c.warehouse)
    )
    return [StockLevel(row.warehouse, row.on_hand, row.reserved) for row in rows]


def levels_page(conn: Connection, warehouse: str | None, skus, offset: int, limit: int):
    """(sku, level) pairs, and how many there are, filtered by warehouse and SKUs."""
    query = select(
        stock_levels.c.sku,
        stock_levels.c.warehouse,
        stock_levels.c.on_hand,
        stock_levels.c.reserved,
    )
    if warehouse:
        query = query.where(stock_levels.c.warehouse == warehouse)
    if skus is not None:
        query = query.where(stock_levels.c.sku.in_(list(skus)))
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(
        query.order_by(stock_levels.c.sku, stock_levels.c.warehouse).offset(offset).limit(limit)
    )
    return [(r.sku, StockLevel(r.warehouse, r.on_hand, r.reserved)) for r in rows], total


# --- receipts and lots ---------------------------------------------------------------------


def insert_receipt(conn: Connection, receipt_id: str, warehouse: str, received_at, at) -> None:
    conn.execute(
        receipts.insert().values(
            id=receipt_id, warehouse=warehouse, received_at=received_at, created_at=at
        )
    )


def receipt(conn: Connection, receipt_id: str) -> dict | None:
    """A receipt as it was received: its lots' received quantities, not what remains."""
    head = conn.execute(
        select(receipts.c.id, receipts.c.warehouse, receipts.c.received_at).where(
            receipts.c.id == receipt_id
        )
    ).first()
    if head is None:
        return None
    lines = conn.execute(
        select(lots.c.sku, lots.c.quantity_received, lots.c.unit_cost, lots.c.lot)
        .where(lots.c.receipt_id == receipt_id)
        .order_by(lots.c.id)
    )
    return {
        "id": head.id,
        "warehouse": head.warehouse,
        "received_at": head.received_at,
        "lines": [
            {"sku": lot.sku, "quantity": lot.quantity_received, "unit_cost": lot.unit_cost}
            | {"lot": lot.lot}
            for lot in lines
        ],
    }


def add_lot(conn: Connection, **values) -> int:
    return conn.execute(
        lots.insert()
        .values(quantity_remaining=values["quantity_received"], **values)
        .returning(lots.c.id)
    ).scalar_one()


def lots_for_update(conn: Connection, sku: str, warehouse: str) -> list[StockLot]:
    rows = conn.execute(
        select(
            lots.c.id,
            lots.c.lot,
            lots.c.warehouse,
            lots.c.received_at,
            lots.c.quantity_remaining,
            lots.c.unit_cost,
        )
        .where(lots.c.sku == sku, lots.c.warehouse == warehouse, lots.c.quantity_remaining > 0)
        .order_by(lots.c.received_at, lots.c.id)
        .with_for_update()
    )
    return [StockLot(*row) for row in rows]


def take_from_lot(conn: Connection, lot_id: int, quantity: int) -> None:
    taken = conn.execute(
        update(lots)
        .where(lots.c.id == lot_id, lots.c.quantity_remaining >= quantity)
        .values(quantity_remaining=lots.c.quantity_remaining - quantity)
    )
    if taken.rowcount != 1:
        raise RuntimeError(f"lot {lot_id} changed under a row lock")


def remaining_lots(conn: Connection, sku: str) -> list[StockLot]:
    rows = conn.execute(
        select(
            lots.c.id,
            lots.c.lot,
            lots.c.warehouse,
            lots.c.received_at,
            lots.c.quantity_remaining,
            lots.c.unit_cost,
        )
        .where(lots.c.sku == sku, lots.c.quantity_remaining > 0)
        .order_by(lots.c.received_at, lots.c.id)
    )
    return [StockLot(*row) for row in rows]


# --- issues and returns --------------------------------------------------------------------


def record_lot_issue(conn: Connection, **values) -> None:
    conn.execute(lot_issues.insert(), {"returned": 0, **values})


def issued_for_return(conn: Connection, order_id: str, sku: str) -> list:
    """What an order took of a SKU and has not had back yet, latest first: a return puts
    back the goods that left last."""
    return conn.execute(
        select(
            lot_issues.c.id,
            lot_issues.c.warehouse,
            lot_issues.c.lot_id,
            lot_issues.c.unit_cost,
            (lot_issues.c.quantity - lot_issues.c.returned).label("outstanding"),
        )
        .where(
            lot_issues.c.order_id == order_id,
            lot_issues.c.sku == sku,
            lot_issues.c.quantity > lot_issues.c.returned,
        )
        .order_by(lot_issues.c.id.desc())
        .with_for_update()
    ).all()


def mark_returned(conn: Connection, lot_issue_id: int, quantity: int) -> None:
    conn.execute(
        update(lot_issues)
        .where(lot_issues.c.id == lot_issue_id)
        .values(returned=lot_issues.c.returned + quantity)
    )


def record_returned_goods(conn: Connection, **values) -> None:
    conn.execute(returned_goods.insert(), values)


def return_recorded(conn: Connection, return_id: str) -> bool:
    query = select(returned_goods.c.id).where(returned_goods.c.return_id == return_id).limit(1)
    return conn.execute(query).first() is not None


# --- the ledger ----------------------------------------------------------------------------


def record_movement(conn: Connection, **values) -> None:
    conn.execute(movements.insert(), values)


def add_to_day(
    conn: Connection, sku: str, day: date, value_change: Decimal, cogs: Decimal, units: int
) -> None:
    """Keep the day's value change, cost of goods and their running totals with each movement.

    Every write adds, so two transactions moving the same SKU in different warehouses cannot
    lose each other's change. A backdated movement also moves the totals of the days after it.
    """
    before = conn.execute(
        select(stock_days.c.value_to_date, stock_days.c.cogs_to_date)
        .where(stock_days.c.sku == sku, stock_days.c.day < day)
        .order_by(stock_days.c.day.desc())
        .limit(1)
    ).first()
    value_before, cogs_before = before if before else (Decimal(0), Decimal(0))
    statement = dialect_insert(conn)(stock_days).values(
        sku=sku,
        day=day,
        value_change=value_change,
        cogs=cogs,
        units_issued=units,
        value_to_date=value_before + value_change,
        cogs_to_date=cogs_before + cogs,
    )
    added = {
        name: stock_days.c[name] + statement.excluded[name]
        for name in ("value_change", "cogs", "units_issued")
    }
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[stock_days.c.sku, stock_days.c.day],
            set_={
                **added,
                "value_to_date": stock_days.c.value_to_date + value_change,
                "cogs_to_date": stock_days.c.cogs_to_date + cogs,
            },
        )
    )
    conn.execute(
        update(stock_days)
        .where(stock_days.c.sku == sku, stock_days.c.day > day)
        .values(
            value_to_date=stock_days.c.value_to_date + value_change,
            cogs_to_date=stock_days.c.cogs_to_date + cogs,
        )
    )


MOVEMENT_FIELDS = (
    "id",
    "sku",
    "warehouse",
    "kind",
    "quantity",
    "unit_cost",
    "value",
    "reference",
    "order_id",
    "return_id",
    "reason",
    "actor",
    "request_id",
    "occurred_at",
)


def movements_page(conn: Connection, filters: dict, offset: int, limit: int):
    """Ledger rows newest first (by when they happened, then as recorded), and their count."""
    query = select(*(movements.c[name] for name in MOVEMENT_FIELDS))
    for name in ("sku", "warehouse", "kind", "order_id"):
        if filters.get(name):
            query = query.where(movements.c[name] == filters[name])
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(
        query.order_by(movements.c.occurred_at.desc(), movements.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [row._asdict() for row in rows], total


def movements_by_reference(conn: Connection, reference: str, kind: str) -> list[dict]:
    rows = conn.execute(
        select(*(movements.c[name] for name in MOVEMENT_FIELDS))
        .where(movements.c.reference == reference, movements.c.kind == kind)
        .order_by(movements.c.id)
    )
    return [row._asdict() for row in rows]


def ledger_balance(conn: Connection, sku: str, warehouse: str) -> int:
    return conn.execute(
        select(func.coalesce(func.sum(movements.c.quantity), 0)).where(
            movements.c.sku == sku, movements.c.warehouse == warehouse
        )
    ).scalar_one()
