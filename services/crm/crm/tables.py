"""The CRM's one MetaData: every table, for its one Alembic history. Queries live in db.py."""

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
)

from erp_shared.db import Money, UtcDateTime
from erp_shared.idempotency import idempotency_metadata
from erp_shared.messaging import messaging_metadata

metadata = MetaData()
# Everything the service's database holds, as its migrations must build it.
schema = (metadata, messaging_metadata, idempotency_metadata)

customers = Table(
    "customers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False, unique=True),
    Column("phone", String(40)),
    Column("company", String(200)),
    Column("credit_limit", Money),
    Column("tags", JSON, nullable=False, default=list),
    Column("segment", String(40)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

addresses = Table(
    "addresses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(36), ForeignKey("customers.id"), nullable=False, index=True),
    Column("kind", String(10), nullable=False),
    Column("line1", String(200), nullable=False),
    Column("city", String(100), nullable=False),
    Column("postal_code", String(20), nullable=False),
    Column("country", String(2), nullable=False),
    CheckConstraint("kind IN ('billing', 'shipping')", name="ck_address_kind"),
)
