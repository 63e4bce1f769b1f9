"""The outbox and inbox every service has, and the only SQL run against them.

The outbox holds events committed with the change they describe until the relay has them
confirmed by the broker; the inbox holds the ids of events already applied, so a redelivery
changes nothing.
"""

from __future__ import annotations

import json

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text, select, update
from sqlalchemy.engine import Connection

from erp_shared.db import UtcDateTime, utcnow

messaging_metadata = MetaData()

outbox = Table(
    "outbox",
    messaging_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("type", String(80), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False, default=utcnow),
    Column("sent_at", UtcDateTime, nullable=True),
)
Index(
    "ix_outbox_unsent",
    outbox.c.id,
    sqlite_where=outbox.c.sent_at.is_(None),
    postgresql_where=outbox.c.sent_at.is_(None),
)

inbox = Table(
    "inbox",
    messaging_metadata,
    Column("event_id", String(36), primary_key=True),
    Column("type", String(80), nullable=False),
    Column("processed_at", UtcDateTime, nullable=False, default=utcnow),
)


def add_to_outbox(conn: Connection, envelope: dict) -> None:
    conn.execute(
        outbox.insert().values(
            event_id=envelope["id"],
            type=envelope["type"],
            body=json.dumps(envelope),
            created_at=utcnow(),
        )
    )


def unsent(limit: int):
    """Oldest unsent first; a row committed late under a lower id is still found next time."""
    return (
        select(outbox.c.id, outbox.c.event_id, outbox.c.type, outbox.c.body)
        .where(outbox.c.sent_at.is_(None))
        .order_by(outbox.c.id)
        .limit(limit)
    )


def mark_sent(conn: Connection, ids: list[int]) -> None:
    conn.execute(update(outbox).where(outbox.c.id.in_(ids)).values(sent_at=utcnow()))


def already_processed(conn: Connection, event_ids: list[str]) -> set[str]:
    return set(conn.scalars(select(inbox.c.event_id).where(inbox.c.event_id.in_(event_ids))))


def record_processed(conn: Connection, event_id: str, event_type: str) -> None:
    conn.execute(inbox.insert().values(event_id=event_id, type=event_type, processed_at=utcnow()))
