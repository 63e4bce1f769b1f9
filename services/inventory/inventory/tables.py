"""The inventory service's one MetaData: every table of its packages, for its one Alembic
history. Queries live in each package's db.py.

Stock levels change only together with a ledger row, in one transaction. The CHECK
constraints are the last line of defence against overselling: stock/db.py's conditional
updates should never let a transaction reach them.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
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
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
Index("ix_products_category", products.c.category)

warehouses = Table(
    "warehouses",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
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
    # The change of inventory value: quantity times the cost of the lots moved.
    Column("value", Money),
    Column("reference", String(64)),
    Column("order_id", String(36)),
    Column("return_id", String(36)),
    Column("reason", String(200)),
    Column("actor", String(80)),
    Column("request_id", String(128)),
    Column("occurred_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "kind IN ('receipt', 'issue', 'adjustment', 'return', 'transfer')",
        name="ck_movement_kind",
    ),
)
Index("ix_movements_sku", movements.c.sku, movements.c.id)
Index("ix_movements_order", movements.c.order_id)

reservations = Table(
    "reservations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_id", String(36), nullable=False),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("warehouse", String(32), nullable=False),
    Column("quantity", Integer, nullable=False),
    # Of `quantity`, how much has left on shipments; the rest is held while the status is
    # held (order pending) or confirmed.
    Column("shipped", Integer, nullable=False, default=0),
    Column("status", String(16), nullable=False, default="held"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("order_id", "sku", "warehouse", name="uq_reservation_order_line"),
    CheckConstraint("quantity > 0", name="ck_reservation_positive"),
    CheckConstraint("shipped >= 0 AND shipped <= quantity", name="ck_reservation_shipped"),
    CheckConstraint(
        "status IN ('held', 'confirmed', 'released', 'expired', 'shipped')",
        name="ck_reservation_status",
    ),
)
Index("ix_reservations_order", reservations.c.order_id)
Index("ix_reservations_hold", reservations.c.status, reservations.c.created_at)

reservation_decisions = Table(
    "reservation_decisions",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("outcome", String(16), nullable=False),
    Column("reason", String(500)),
    Column("decided_at", UtcDateTime, nullable=False),
)

# What each issue took from each lot, so a return can come back at the cost it left with.
lot_issues = Table(
    "lot_issues",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_id", String(36), nullable=False),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("warehouse", String(32), nullable=False),
    Column("lot_id", Integer, ForeignKey("lots.id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_cost", Money, nullable=False),
    Column("returned", Integer, nullable=False, default=0),
    Column("issued_at", UtcDateTime, nullable=False),
    CheckConstraint("quantity > 0", name="ck_lot_issue_positive"),
    CheckConstraint("returned >= 0 AND returned <= quantity", name="ck_lot_issue_returned"),
)
Index("ix_lot_issues_order", lot_issues.c.order_id, lot_issues.c.sku)

returned_goods = Table(
    "returned_goods",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("return_id", String(36), nullable=False, index=True),
    Column("order_id", String(36), nullable=False),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("warehouse", String(32), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("condition", String(16), nullable=False),
    Column("unit_cost", Money),
    Column("received_at", UtcDateTime, nullable=False),
    CheckConstraint("condition IN ('resellable', 'damaged')", name="ck_returned_condition"),
)

# Per-warehouse reorder settings; a product's own apply where none is set.
reorder_settings = Table(
    "reorder_settings",
    metadata,
    Column("sku", String(64), ForeignKey("products.sku"), primary_key=True),
    Column("warehouse", String(32), primary_key=True),
    Column("reorder_point", Integer, nullable=False),
    Column("reorder_quantity", Integer, nullable=False),
    Column("lead_time_days", Integer, nullable=False),
)

# Where each SKU and warehouse stands against its reorder point: stock.low is sent when
# `low` turns true, so once per crossing however many orders cross it together.
reorder_states = Table(
    "reorder_states",
    metadata,
    Column("sku", String(64), ForeignKey("products.sku"), primary_key=True),
    Column("warehouse", String(32), primary_key=True),
    Column("available", Integer, nullable=False),
    Column("reorder_point", Integer, nullable=False),
    Column("low", Boolean, nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
)

# Per SKU and day: the change of inventory value, the cost of goods and units issued, and the
# running totals at the day's end, kept with every movement. Turnover over any period then
# reads two rows per SKU (the last day before it and its last day), never the ledger.
stock_days = Table(
    "stock_days",
    metadata,
    Column("sku", String(64), ForeignKey("products.sku"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("value_change", Money, nullable=False),
    Column("cogs", Money, nullable=False),
    Column("units_issued", Integer, nullable=False),
    Column("value_to_date", Money, nullable=False),
    Column("cogs_to_date", Money, nullable=False),
)
