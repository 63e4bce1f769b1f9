"""The gateway's one MetaData: users and their roles, for its one Alembic history.
Queries live in db.py."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, MetaData, String, Table

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

# Wrong passwords in a row per username and client address (identity.FailedSignIns), for any
# username tried, known or not: the answer must not tell which exist.
failed_sign_ins = Table(
    "failed_sign_ins",
    metadata,
    Column("username", String(80), primary_key=True),
    Column("address", String(64), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("last_at", UtcDateTime, nullable=False),
)

# Every write that reached the gateway, whoever made it and however it ended: who (and with
# which roles), what (method, path, the record it made or touched), when, from where, and
# the answer. Never a body, a password or a token. A write let through is entered before it
# is done (status null) and its outcome filled in after. Append-only: triggers refuse DELETE
# and every UPDATE but that one filling in of status and target (migration 0006).
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(80)),
    Column("roles", String(200)),
    Column("request_id", String(64), nullable=False),
    Column("method", String(8), nullable=False),
    Column("path", String(500), nullable=False),
    Column("status", Integer),
    Column("target", String(200)),
    Column("remote_addr", String(64)),
)
# What the service's database role may change of its append-only tables (the columns it may
# UPDATE; it may never DELETE or TRUNCATE them): see erp_shared.migrate.grant_app_role.
APPEND_ONLY = {"audit_log": ("status", "target")}
Index("ix_audit_log_at", audit_log.c.at)
Index("ix_audit_log_actor", audit_log.c.actor, audit_log.c.at)

# Refresh tokens, kept as SHA-256 digests (the token itself is shown once, to its holder).
# Each is used once: refreshing replaces it; using a replaced one again means it was copied,
# and every refresh token of that user is revoked.
refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("user_id", String(36), nullable=False, index=True),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    # When the sign-in that began this chain of refreshes happened (identity.SESSION_LIFETIME).
    Column("session_started_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    # When a refresh used it up (revoked_at is then the same time); none when a sign-out or
    # a detected copy revoked it.
    Column("used_at", UtcDateTime),
)
