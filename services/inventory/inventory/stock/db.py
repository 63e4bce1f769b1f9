"""Stock levels, lots, the movement ledger and reservations: the only SQL of the stock package.

Stock levels change only together with a ledger row, in one transaction; the conditional
update in `take_reservation` is what keeps concurrent reservations from overselling.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from erp_shared.db import dialect_insert
from inventory.stock.domain import Reservation, StockLevel, StockLot
from inventory.tables import (
    lots,
    movements,
    receipts,
    reservation_decisions,
    reservations,
    stock_levels,
)


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


def add_lot(conn: Connection, **values) -> None:
    conn.execute(lots.insert().values(quantity_remaining=values["quantity_received"], **values))


def record_movement(conn: Connection, **values) -> None:
    conn.execute(movements.insert().values(**values))


def add_on_hand(conn: Connection, sku: str, warehouse: str, quantity: int) -> None:
    statement = dialect_insert(conn)(stock_levels).values(
        sku=sku, warehouse=warehouse, on_hand=quantity, reserved=0
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[stock_levels.c.sku, stock_levels.c.warehouse],
            set_={"on_hand": stock_levels.c.on_hand + quantity},
        )
    )


def lock_availability(conn: Connection, skus) -> dict[str, dict[str, int]]:
    """Available stock per SKU and warehouse, row-locked (PostgreSQL) in a fixed order so
    concurrent reservations queue behind each other instead of deadlocking."""
    rows = conn.execute(
        select(
            stock_levels.c.sku,
            stock_levels.c.warehouse,
            stock_levels.c.on_hand,
            stock_levels.c.reserved,
        )
        .where(stock_levels.c.sku.in_(sorted(skus)))
        .order_by(stock_levels.c.sku, stock_levels.c.warehouse)
        .with_for_update()
    )
    available: dict[str, dict[str, int]] = {}
    for row in rows:
        available.setdefault(row.sku, {})[row.warehouse] = row.on_hand - row.reserved
    return available


def reservation_decided(conn: Connection, order_id: str) -> bool:
    query = select(reservation_decisions.c.order_id).where(
        reservation_decisions.c.order_id == order_id
    )
    return conn.execute(query).first() is not None


def add_reservation(conn: Connection, reservation: Reservation, at: datetime) -> None:
    """Hold the allocated stock and record the decision, which makes it once per order."""
    for allocation in reservation.allocations:
        taken = conn.execute(
            update(stock_levels)
            .where(
                stock_levels.c.sku == allocation.sku,
                stock_levels.c.warehouse == allocation.warehouse,
                # Reserve only if still available: this is what prevents overselling.
                stock_levels.c.on_hand - stock_levels.c.reserved >= allocation.quantity,
            )
            .values(reserved=stock_levels.c.reserved + allocation.quantity)
        )
        if taken.rowcount != 1:
            raise RuntimeError(f"stock for {allocation.sku} changed under a row lock")
        conn.execute(
            reservations.insert().values(
                order_id=reservation.order_id,
                sku=allocation.sku,
                warehouse=allocation.warehouse,
                quantity=allocation.quantity,
                status="active",
                created_at=at,
            )
        )
    conn.execute(
        reservation_decisions.insert().values(
            order_id=reservation.order_id,
            outcome=reservation.outcome,
            reason=reservation.reason,
            decided_at=at,
        )
    )


def levels(conn: Connection, sku: str) -> list[StockLevel]:
    rows = conn.execute(
        select(stock_levels.c.warehouse, stock_levels.c.on_hand, stock_levels.c.reserved)
        .where(stock_levels.c.sku == sku)
        .order_by(stock_levels.c.warehouse)
    )
    return [StockLevel(row.warehouse, row.on_hand, row.reserved) for row in rows]


def remaining_lots(conn: Connection, sku: str) -> list[StockLot]:
    rows = conn.execute(
        select(
            lots.c.lot,
            lots.c.warehouse,
            lots.c.received_at,
            lots.c.quantity_remaining,
            lots.c.unit_cost,
        )
        .where(lots.c.sku == sku, lots.c.quantity_remaining > 0)
        .order_by(lots.c.received_at, lots.c.id)
    )
    return [
        StockLot(row.lot, row.warehouse, row.received_at, row.quantity_remaining, row.unit_cost)
        for row in rows
    ]


def ledger_balance(conn: Connection, sku: str, warehouse: str) -> int:
    return conn.execute(
        select(func.coalesce(func.sum(movements.c.quantity), 0)).where(
            movements.c.sku == sku, movements.c.warehouse == warehouse
        )
    ).scalar_one()
