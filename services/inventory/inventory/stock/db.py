"""Warehouses, stock levels, lots and the movement ledger: the only SQL of the stock package.

A stock level changes only together with a ledger row, in one transaction: both are written
from what a WarehouseStock recorded (`Shelves.save`). The aggregate checks each change under
the row lock it was loaded with; the level is still written by a conditional UPDATE that
refuses to break its invariants (on_hand >= reserved >= 0), so even a bug cannot oversell
before the CHECK constraints would stop it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection

from erp_shared.db import contains, dialect_insert, insert_unique
from erp_shared.errors import Conflict
from inventory.stock.domain import (
    Clerk,
    IssuedPart,
    LevelChanged,
    Lot,
    LotAdded,
    LotIssued,
    LotTaken,
    Moved,
    OrderIssues,
    StockLevel,
    StockLot,
    WarehouseStock,
)
from inventory.tables import (
    lot_issues,
    lots,
    movements,
    products,
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
# Every hold, release and shipment reads and moves a level: built once, bound at each call.
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


def _change_level(conn: Connection, sku: str, warehouse: str, on_hand: int, reserved: int):
    """Apply the deltas if the level stays whole (reserved within on_hand, both >= 0); the
    aggregate checked that under the row lock, so a refusal here is a bug, not a shortage."""
    row = conn.execute(
        _CHANGE_LEVEL,
        {
            "level_sku": sku,
            "level_warehouse": warehouse,
            "on_hand_change": on_hand,
            "reserved_change": reserved,
        },
    ).first()
    if row is None:
        raise RuntimeError(f"stock for {sku} in {warehouse} changed under a row lock")


def _add_on_hand(conn: Connection, sku: str, warehouse: str, quantity: int) -> None:
    """Goods come in: the level is created at the first receipt (or added to, should another
    transaction have created it meanwhile: a row that does not exist cannot be locked)."""
    statement = dialect_insert(conn)(stock_levels).values(
        sku=sku, warehouse=warehouse, on_hand=quantity, reserved=0
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[stock_levels.c.sku, stock_levels.c.warehouse],
            set_={"on_hand": stock_levels.c.on_hand + quantity},
        )
    )


_LEVEL_FOR_UPDATE = (
    select(stock_levels.c.on_hand, stock_levels.c.reserved)
    .where(
        stock_levels.c.sku == bindparam("level_sku"),
        stock_levels.c.warehouse == bindparam("level_warehouse"),
    )
    .with_for_update()
)


def _level_for_update(conn: Connection, sku: str, warehouse: str) -> tuple[int, int]:
    row = conn.execute(_LEVEL_FOR_UPDATE, {"level_sku": sku, "level_warehouse": warehouse}).first()
    return (row.on_hand, row.reserved) if row else (0, 0)


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


def levels_page(
    conn: Connection, warehouse: str | None, skus, q: str | None, offset: int, limit: int
):
    """(sku, product name, level) of each, and how many there are, filtered by warehouse,
    SKUs and part of a SKU or name."""
    query = select(
        stock_levels.c.sku,
        products.c.name,
        stock_levels.c.warehouse,
        stock_levels.c.on_hand,
        stock_levels.c.reserved,
    ).outerjoin(products, products.c.sku == stock_levels.c.sku)
    if warehouse:
        query = query.where(stock_levels.c.warehouse == warehouse)
    if skus is not None:
        query = query.where(stock_levels.c.sku.in_(list(skus)))
    if q:
        query = query.where(contains(q, stock_levels.c.sku, products.c.name))
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(
        query.order_by(stock_levels.c.sku, stock_levels.c.warehouse).offset(offset).limit(limit)
    )
    return [(r.sku, r.name, StockLevel(r.warehouse, r.on_hand, r.reserved)) for r in rows], total


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


def _add_lot(conn: Connection, **values) -> int:
    return conn.execute(
        lots.insert()
        .values(quantity_remaining=values["quantity_received"], **values)
        .returning(lots.c.id)
    ).scalar_one()


_LOT = (
    lots.c.id,
    lots.c.lot,
    lots.c.warehouse,
    lots.c.received_at,
    lots.c.quantity_remaining,
    lots.c.unit_cost,
)


def _lots_for_update(conn: Connection, sku: str, warehouse: str) -> list[Lot]:
    rows = conn.execute(
        select(
            lots.c.lot, lots.c.received_at, lots.c.quantity_remaining, lots.c.unit_cost, lots.c.id
        )
        .where(lots.c.sku == sku, lots.c.warehouse == warehouse, lots.c.quantity_remaining > 0)
        .order_by(lots.c.received_at, lots.c.id)
        .with_for_update()
    )
    return [Lot(*row) for row in rows]


def _take_from_lot(conn: Connection, lot_id: int, quantity: int) -> None:
    taken = conn.execute(
        update(lots)
        .where(lots.c.id == lot_id, lots.c.quantity_remaining >= quantity)
        .values(quantity_remaining=lots.c.quantity_remaining - quantity)
    )
    if taken.rowcount != 1:
        raise RuntimeError(f"lot {lot_id} changed under a row lock")


def remaining_lots(conn: Connection, sku: str) -> list[StockLot]:
    rows = conn.execute(
        select(*_LOT)
        .where(lots.c.sku == sku, lots.c.quantity_remaining > 0)
        .order_by(lots.c.received_at, lots.c.id)
    )
    return [StockLot(*row) for row in rows]


# --- a SKU's stock in a warehouse (the WarehouseStock aggregate) ---------------------------


class Shelves:
    """Where each WarehouseStock is kept: its level row and lots, locked (PostgreSQL) from
    loading to the commit, and the ledger rows and lot issues its changes add."""

    @staticmethod
    def get(conn: Connection, key: tuple[str, str], *, clerk: Clerk, lots: bool = True):
        """The stock of SKU and warehouse `key`, empty where none was ever received;
        without its lots when `lots` is false (holds and releases need none)."""
        sku, warehouse = key
        on_hand, reserved = _level_for_update(conn, sku, warehouse)
        loaded = _lots_for_update(conn, sku, warehouse) if lots else None
        return WarehouseStock(sku, warehouse, clerk, on_hand, reserved, loaded)

    @classmethod
    def add(cls, conn: Connection, stock: WarehouseStock) -> None:
        cls.save(conn, stock)

    @staticmethod
    def save(conn: Connection, stock: WarehouseStock) -> None:
        """Write what changed since the last save, in the order it changed, and forget it."""
        changes, stock.changes = stock.changes, []
        levels = [change for change in changes if isinstance(change, LevelChanged)]
        on_hand = sum(change.on_hand for change in levels)
        reserved = sum(change.reserved for change in levels)
        if reserved == 0 and on_hand > 0:
            _add_on_hand(conn, stock.sku, stock.warehouse, on_hand)
        elif on_hand or reserved:
            _change_level(conn, stock.sku, stock.warehouse, on_hand, reserved)
        for change in changes:
            _write(conn, stock, change)


def _write(conn: Connection, stock: WarehouseStock, change) -> None:
    sku, warehouse = stock.sku, stock.warehouse
    match change:
        case LotAdded(lot, received, receipt_id):
            lot.id = _add_lot(
                conn,
                lot=lot.lot,
                receipt_id=receipt_id,
                sku=sku,
                warehouse=warehouse,
                received_at=lot.received_at,
                quantity_received=received,
                unit_cost=lot.unit_cost,
            )
        case LotTaken(lot, quantity):
            _take_from_lot(conn, lot.id, quantity)
        case LotIssued(order_id, lot, quantity):
            conn.execute(
                lot_issues.insert(),
                {
                    "order_id": order_id,
                    "sku": sku,
                    "warehouse": warehouse,
                    "lot_id": lot.id,
                    "quantity": quantity,
                    "unit_cost": lot.unit_cost,
                    "returned": 0,
                    "issued_at": stock.clerk.now,
                },
            )
        case Moved():
            _record_movement(conn, stock, change)


def _record_movement(conn: Connection, stock: WarehouseStock, move: Moved) -> None:
    """One ledger row, and the day's value change and cost of goods beside it."""
    conn.execute(
        movements.insert(),
        {
            "sku": stock.sku,
            "warehouse": stock.warehouse,
            "kind": move.kind,
            "quantity": move.quantity,
            "value": move.value,
            "actor": stock.clerk.actor,
            "request_id": stock.clerk.request_id,
            "occurred_at": move.occurred_at,
            **move.references,
        },
    )
    units = -move.quantity if move.kind == "issue" else 0
    add_to_day(conn, stock.sku, move.occurred_at.date(), move.value, move.cogs, units)


# --- what orders took, for returns (the OrderIssues aggregate) -----------------------------


class IssuesByOrder:
    """Where each OrderIssues is kept: the order's lot issues not yet returned, locked
    (PostgreSQL) to the commit, and the returned goods its returns add."""

    @staticmethod
    def get(conn: Connection, order_id: str) -> OrderIssues:
        parts = conn.execute(
            select(
                lot_issues.c.id,
                lot_issues.c.sku,
                lot_issues.c.warehouse,
                lot_issues.c.unit_cost,
                (lot_issues.c.quantity - lot_issues.c.returned).label("outstanding"),
            )
            .where(
                lot_issues.c.order_id == order_id,
                lot_issues.c.quantity > lot_issues.c.returned,
            )
            .order_by(lot_issues.c.id.desc())
            .with_for_update()
        )
        returns = conn.scalars(
            select(returned_goods.c.return_id)
            .where(returned_goods.c.order_id == order_id)
            .distinct()
        )
        return OrderIssues(order_id, [IssuedPart(*row) for row in parts], set(returns))

    @classmethod
    def add(cls, conn: Connection, issues: OrderIssues) -> None:
        cls.save(conn, issues)

    @staticmethod
    def save(conn: Connection, issues: OrderIssues) -> None:
        changes, issues.changes = issues.changes, []
        for back in changes:
            conn.execute(
                update(lot_issues)
                .where(lot_issues.c.id == back.part.id)
                .values(returned=lot_issues.c.returned + back.quantity)
            )
            conn.execute(
                returned_goods.insert(),
                {
                    "return_id": back.return_id,
                    "order_id": issues.order_id,
                    "sku": back.part.sku,
                    "warehouse": back.part.warehouse,
                    "quantity": back.quantity,
                    "condition": back.condition,
                    "unit_cost": back.part.unit_cost,
                    "received_at": back.at,
                },
            )


# --- the ledger ----------------------------------------------------------------------------


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
