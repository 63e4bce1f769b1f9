"""The orders service's one MetaData: every table of its packages, for its one Alembic history.

Queries live in each package's db.py; only those read and write these tables.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from erp_shared.db import Money, UtcDateTime
from erp_shared.idempotency import idempotency_metadata
from erp_shared.messaging import messaging_metadata
from orders.sales.domain import STATUSES

metadata = MetaData()
# Everything the service's database holds, as its migrations must build it.
schema = (metadata, messaging_metadata, idempotency_metadata)

# Replicas: what orders knows of CRM's customers and inventory's catalogue, from their events.
customers = Table(
    "customers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("credit_limit", Money),
    Column("tags", JSON, nullable=False, default=list),
    Column("source_updated_at", UtcDateTime, nullable=False),
)

products = Table(
    "products",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("unit_price", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("category", String(100)),
    Column("source_updated_at", UtcDateTime, nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("customer_id", String(36), nullable=False, index=True),
    Column("channel", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("campaign_code", String(64)),
    Column("shipping_address", JSON),
    Column("note", Text),
    Column("subtotal", Money, nullable=False),
    Column("tax", Money, nullable=False),
    Column("total", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("rejection_reason", String(500)),
    Column("placed_by", String(80), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "status IN (" + ", ".join(f"'{status}'" for status in STATUSES) + ")",
        name="ck_order_status",
    ),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("order_id", String(36), ForeignKey("orders.id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money, nullable=False),
    Column("line_total", Money, nullable=False),
    CheckConstraint("quantity > 0", name="ck_order_line_quantity_positive"),
)

order_history = Table(
    "order_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_id", String(36), ForeignKey("orders.id"), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("reason", String(500)),
)

sequences = Table(
    "sequences",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", Integer, nullable=False),
)
