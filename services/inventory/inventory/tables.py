"""The inventory service's one MetaData: every table of its packages, for its one Alembic
history. Queries live in each package's db.py.

Stock levels change only together with a ledger row, in one transaction. The CHECK
constraints are the last line of defence against overselling: stock/db.py's conditional
updates should never let a transaction reach them.
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
)

from erp_shared.db import Money, UtcDateTime
from erp_shared.idempotency import idempotency_metadata
from erp_shared.messaging import messaging_metadata

metadata = MetaData()
# Everything the service's database holds, as its migrations must build it.
schema = (metadata, messaging_metadata, idempotency_metadata)

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
