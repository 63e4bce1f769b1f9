"""Inventory tables and every query against them.

Stock levels change only together with a ledger row, in one transaction. The CHECK
constraints are the last line of defence against overselling: the conditional updates below
should never let a transaction reach them.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    func,
    select,
    update,
)
from sqlalchemy.engine import Connection

from erp_shared.db import Money, UtcDateTime, dialect_insert, utcnow

metadata = MetaData()

products = Table(
    "products",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("unit_price", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("category", String(100)),
    Column("reorder_point", Integer, nullable=False, default=0),
    Column("reorder_quantity", Integer, nullable=False, default=0),
    Column("lead_time_days", Integer, nullable=False, default=0),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

stock_levels = Table(
    "stock_levels",
    metadata,
    Column("sku", String(64), ForeignKey("products.sku"), primary_key=True),
    Column("warehouse", String(32), primary_key=True),
    Column("on_hand", Integer, nullable=False, default=0),
    Column("reserved", Integer, nullable=False, default=0),
    CheckConstraint("on_hand >= 0", name="ck_stock_on_hand_not_negative"),
    CheckConstraint("reserved >= 0", name="ck_stock_reserved_not_negative"),
    CheckConstraint("reserved <= on_hand", name="ck_stock_reserved_within_on_hand"),
)

receipts = Table(
    "receipts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("warehouse", String(32), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

lots = Table(
    "lots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("lot", String(64), nullable=False),
    Column("receipt_id", String(36), ForeignKey("receipts.id")),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("warehouse", String(32), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("quantity_received", Integer, nullable=False),
    Column("quantity_remaining", Integer, nullable=False),
    Column("unit_cost", Money, nullable=False),
    CheckConstraint("quantity_remaining >= 0", name="ck_lot_remaining_not_negative"),
    CheckConstraint(
        "quantity_remaining <= quantity_received", name="ck_lot_remaining_within_received"
    ),
)
Index("ix_lots_fifo", lots.c.sku, lots.c.warehouse, lots.c.received_at, lots.c.id)

movements = Table(
    "movements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("warehouse", String(32), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_cost", Money),
    Column("reference", String(64)),
    Column("occurred_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "kind IN ('receipt', 'issue', 'adjustment', 'return', 'transfer')",
        name="ck_movement_kind",
    ),
)
Index("ix_movements_sku", movements.c.sku, movements.c.id)

reservations = Table(
    "reservations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_id", String(36), nullable=False),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("warehouse", String(32), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("status", String(16), nullable=False, default="active"),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("order_id", "sku", name="uq_reservation_order_line"),
    CheckConstraint("quantity > 0", name="ck_reservation_positive"),
)

reservation_decisions = Table(
    "reservation_decisions",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("outcome", String(16), nullable=False),
    Column("reason", String(500)),
    Column("decided_at", UtcDateTime, nullable=False),
)


def insert_product(conn: Connection, values: dict) -> None:
    now = utcnow()
    conn.execute(products.insert().values(**values, created_at=now, updated_at=now))


def product(conn: Connection, sku: str):
    return conn.execute(select(products).where(products.c.sku == sku)).first()


def existing_skus(conn: Connection, skus) -> set[str]:
    rows = conn.execute(select(products.c.sku).where(products.c.sku.in_(list(skus))))
    return {row.sku for row in rows}


def insert_receipt(conn: Connection, receipt_id: str, warehouse: str, received_at) -> None:
    conn.execute(
        receipts.insert().values(
            id=receipt_id, warehouse=warehouse, received_at=received_at, created_at=utcnow()
        )
    )


def add_lot(conn: Connection, **values) -> None:
    conn.execute(lots.insert().values(quantity_remaining=values["quantity_received"], **values))


def record_movement(conn: Connection, **values) -> None:
    conn.execute(
        movements.insert().values(occurred_at=values.pop("occurred_at", utcnow()), **values)
    )


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


def take_reservation(conn: Connection, sku: str, warehouse: str, quantity: int) -> bool:
    """Reserve only if still available: the WHERE clause is what prevents overselling."""
    result = conn.execute(
        update(stock_levels)
        .where(
            stock_levels.c.sku == sku,
            stock_levels.c.warehouse == warehouse,
            stock_levels.c.on_hand - stock_levels.c.reserved >= quantity,
        )
        .values(reserved=stock_levels.c.reserved + quantity)
    )
    return result.rowcount == 1


def insert_reservation(conn: Connection, order_id: str, sku: str, warehouse: str, quantity: int):
    conn.execute(
        reservations.insert().values(
            order_id=order_id,
            sku=sku,
            warehouse=warehouse,
            quantity=quantity,
            status="active",
            created_at=utcnow(),
        )
    )


def reservation_decision(conn: Connection, order_id: str):
    return conn.execute(
        select(reservation_decisions).where(reservation_decisions.c.order_id == order_id)
    ).first()


def record_decision(conn: Connection, order_id: str, outcome: str, reason: str | None) -> None:
    conn.execute(
        reservation_decisions.insert().values(
            order_id=order_id, outcome=outcome, reason=reason, decided_at=utcnow()
        )
    )


def stock_by_warehouse(conn: Connection, sku: str):
    return conn.execute(
        select(stock_levels).where(stock_levels.c.sku == sku).order_by(stock_levels.c.warehouse)
    ).all()


def remaining_lots(conn: Connection, sku: str):
    return conn.execute(
        select(lots)
        .where(lots.c.sku == sku, lots.c.quantity_remaining > 0)
        .order_by(lots.c.received_at, lots.c.id)
    ).all()


def ledger_balance(conn: Connection, sku: str, warehouse: str) -> int:
    return conn.execute(
        select(func.coalesce(func.sum(movements.c.quantity), 0)).where(
            movements.c.sku == sku, movements.c.warehouse == warehouse
        )
    ).scalar_one()
