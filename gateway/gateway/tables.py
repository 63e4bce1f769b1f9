"""The gateway's one MetaData: users and their roles, and webhook subscriptions with their
deliveries, for its one Alembic history.
Queries live in db.py (the webhooks' in gateway/webhooks/db.py)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

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

# Who is told of which events (gateway.webhooks): a receiver's URL, the event types it takes,
# and the secret its deliveries are signed with (kept to sign; shown to the admin only when
# made). A rotated secret keeps signing beside the new one until previous_secret_until.
# `disabled` is set by the dispatcher when deliveries kept failing, with the reason.
webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("url", String(2000), nullable=False),
    Column("events", JSON, nullable=False),
    Column("description", String(500)),
    Column("status", String(16), nullable=False),
    Column("secret", String(100), nullable=False),
    Column("previous_secret", String(100)),
    Column("previous_secret_until", UtcDateTime),
    Column("disabled_reason", String(500)),
    Column("created_by", String(80)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# One event for one subscription, written in the transaction that took the event from the
# bus (so once per subscription and event id), pending until a receiver answered 2xx. The
# body is kept as first written, so every attempt sends the same bytes; next_attempt_at is
# when a dispatcher may send it (pushed forward while one is sending it: its lease);
# failures and first_failed_at count the failed attempts since it was last (re)scheduled.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "subscription_id",
        String(36),
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(80), nullable=False),
    # What the event is about (gateway.webhooks.domain.subject_of): kept in order per subject.
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("failures", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime),
    Column("first_failed_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime),
    UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_event"),
)
Index(
    "ix_webhook_deliveries_due", webhook_deliveries.c.status, webhook_deliveries.c.next_attempt_at
)
Index(
    "ix_webhook_deliveries_subject",
    webhook_deliveries.c.subscription_id,
    webhook_deliveries.c.subject,
    webhook_deliveries.c.id,
)

# Every attempt at a delivery: when, how long it took, and the answer (a status code) or why
# there was none (an error).
webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "delivery_id",
        Integer,
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("at", UtcDateTime, nullable=False),
    Column("status_code", Integer),
    Column("error", String(200)),
    Column("latency_ms", Integer, nullable=False),
)
