"""Schema steps that every service's Alembic history shares: the outbox and the idempotency keys.

Each service keeps its own history, but these tables are the same everywhere, so their DDL is
written once here and a revision calls the step. Like a released revision, a released step
never changes: a later change to these tables is a new step, called from a new revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from erp_shared.db import UtcDateTime

_UNSENT = sa.text("sent_at IS NULL")


def _create_inbox() -> None:
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=80), nullable=False),
        sa.Column("processed_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )


def create_outbox_and_inbox() -> None:
    """The messaging tables of the first schema (0001 of every service that uses the bus)."""
    _create_inbox()
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_unsent", ["id"], sqlite_where=_UNSENT, postgresql_where=_UNSENT
        )


def drop_outbox_and_inbox() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_unsent", sqlite_where=_UNSENT, postgresql_where=_UNSENT)
    op.drop_table("outbox")
    op.drop_table("inbox")


def create_idempotency_keys() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(length=160), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("result", sa.String(length=200), nullable=True),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key"),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])


def drop_idempotency_keys() -> None:
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")


def move_inbox_to_idempotency_keys() -> None:
    """Consumed event ids become keys of the "event" scope; the inbox table goes."""
    create_idempotency_keys()
    op.execute(
        "INSERT INTO idempotency_keys (scope, key, fingerprint, created_at) "
        "SELECT 'event', event_id, '', processed_at FROM inbox"
    )
    op.drop_table("inbox")


def move_idempotency_keys_to_inbox() -> None:
    _create_inbox()
    op.execute(
        "INSERT INTO inbox (event_id, type, processed_at) "
        "SELECT key, '', created_at FROM idempotency_keys WHERE scope = 'event'"
    )
    drop_idempotency_keys()
