"""Analytics' one MetaData: the sales replica built from order events, for its one Alembic
history. Queries live in db.py."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table

from erp_shared.db import Money, UtcDateTime
from erp_shared.idempotency import idempotency_metadata
from erp_shared.messaging import messaging_metadata

metadata = MetaData()
# Everything the service's database holds, as its migrations must build it.
schema = (metadata, messaging_metadata, idempotency_metadata)

sales_orders = Table(
    "sales_orders",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("customer_id", String(36)),
    Column("channel", String(20)),
    Column("campaign_code", String(64)),
    Column("revenue", Money),
    Column("total", Money),
    Column("currency", String(3)),
    Column("units", Integer),
    Column("returned_units", Integer, nullable=False, default=0),
    Column("status", String(20), nullable=False),
    Column("placed_at", UtcDateTime, index=True),
    Column("status_changed_at", UtcDateTime, nullable=False),
)

sales_lines = Table(
    "sales_lines",
    metadata,
    Column("order_id", String(36), ForeignKey("sales_orders.order_id"), primary_key=True),
    Column("sku", String(64), primary_key=True),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money, nullable=False),
)
