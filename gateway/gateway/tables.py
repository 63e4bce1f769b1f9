"""The gateway's one MetaData: users and their roles, for its one Alembic history.
Queries live in db.py."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, MetaData, String, Table

from erp_shared.db import UtcDateTime
from erp_shared.idempotency import idempotency_metadata

metadata = MetaData()
# Everything the gateway's database holds, as its migrations must build it.
schema = (metadata, idempotency_metadata)

users = Table(
    "users",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("customer_id", String(36)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False),
)
