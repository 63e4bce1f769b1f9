"""Loading and saving segments, and the customers' tags they are judged on."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from crm.segments.domain import Segment
from crm.tables import customers, segments
from erp_shared.db import insert_unique
from erp_shared.errors import Conflict


def add(conn: Connection, segment: Segment) -> None:
    insert_unique(
        conn,
        segments.insert().values(
            id=segment.id, name=segment.name, rules=segment.rules, created_at=segment.created_at
        ),
        Conflict(f"Segment {segment.name} exists.", {"name": ["Already used."]}),
    )


def get(conn: Connection, segment_id: str) -> Segment | None:
    row = conn.execute(
        select(segments.c.id, segments.c.name, segments.c.rules, segments.c.created_at).where(
            segments.c.id == segment_id
        )
    ).first()
    return None if row is None else Segment(*row)


def page(conn: Connection, offset: int, limit: int):
    query = select(segments.c.id, segments.c.name, segments.c.rules, segments.c.created_at)
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(query.order_by(segments.c.name).offset(offset).limit(limit))
    return [Segment(*row) for row in rows], total


def live_customer_tags(conn: Connection) -> list[tuple[str, list[str]]]:
    rows = conn.execute(
        select(customers.c.id, customers.c.tags).where(
            customers.c.merged_into.is_(None), customers.c.erased_at.is_(None)
        )
    )
    return [(row.id, row.tags) for row in rows]
