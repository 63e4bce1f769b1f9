"""How far behind the webhook worker is: when the oldest delivery still owed to an active
subscription was queued. A paused subscription's deliveries wait on purpose and a disabled
one has its own alert, so neither counts.

Read beside db.py rather than in it (one query, for the dispatcher's gauge only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from gateway.tables import webhook_deliveries, webhook_subscriptions


def oldest_pending_since(conn: Connection) -> datetime | None:
    """When the oldest pending delivery of an active subscription was queued; None when
    nothing is owed."""
    return conn.execute(
        select(func.min(webhook_deliveries.c.created_at))
        .join(
            webhook_subscriptions,
            webhook_subscriptions.c.id == webhook_deliveries.c.subscription_id,
        )
        .where(webhook_deliveries.c.status == "pending", webhook_subscriptions.c.status == "active")
    ).scalar()
