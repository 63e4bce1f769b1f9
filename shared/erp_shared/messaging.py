"""The outbox every service that publishes has, and the only SQL run against it.

The outbox holds events committed with the change they describe until the relay has them
confirmed by the broker. (What a consumer already applied is kept by erp_shared.idempotency.)
"""

from __future__ import annotations

import functools
import json
from datetime import datetime

from sqlalchemy import (
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    func,
    select,
    update,
)
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


def add_to_outbox(conn: Connection, envelope: dict) -> None:
    conn.execute(
        outbox.insert(),
        {
            "event_id": envelope["id"],
            "type": envelope["type"],
            "body": json.dumps(envelope),
            "created_at": utcnow(),
        },
    )


@functools.cache
def unsent(limit: int, locked: bool = False):
    """Oldest unsent first; a row committed late under a lower id is still found next time.
    `locked`: the rows are locked for this transaction and skipped by another relay's. Built
    once per batch size: the relay asks many times a second under load."""
    query = (
        select(outbox.c.id, outbox.c.event_id, outbox.c.type, outbox.c.body)
        .where(outbox.c.sent_at.is_(None))
        .order_by(outbox.c.id)
        .limit(limit)
    )
    return query.with_for_update(skip_locked=True) if locked else query


def backlog(conn: Connection) -> tuple[int, datetime | None]:
    """How many events wait to be sent, and since when the oldest of them waits."""
    count, oldest = conn.execute(
        select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.sent_at.is_(None))
    ).one()
    return count, oldest


_MARK_SENT = (
    update(outbox)
    .where(outbox.c.id.in_(bindparam("ids", expanding=True)))
    .values(sent_at=bindparam("sent_at"))
)


def mark_sent(conn: Connection, ids: list[int]) -> None:
    conn.execute(_MARK_SENT, {"ids": ids, "sent_at": utcnow()})
