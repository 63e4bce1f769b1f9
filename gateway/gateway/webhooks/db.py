"""Webhook subscriptions, deliveries and attempts: the only SQL of gateway.webhooks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from erp_shared.db import dialect_insert
from gateway.tables import webhook_attempts, webhook_deliveries, webhook_subscriptions

subscriptions = webhook_subscriptions
deliveries = webhook_deliveries
attempts = webhook_attempts

PENDING, DELIVERED = "pending", "delivered"


def add_subscription(conn: Connection, row: dict) -> None:
    conn.execute(subscriptions.insert().values(**row))


def subscription(conn: Connection, subscription_id: str, *, locked: bool = False):
    query = select(subscriptions).where(subscriptions.c.id == subscription_id)
    return conn.execute(query.with_for_update() if locked else query).first()


def page_of_subscriptions(
    conn: Connection, owner: str | None, offset: int, limit: int
) -> tuple[list, int]:
    """Every subscription, or only those `owner` made."""
    mine = () if owner is None else (subscriptions.c.created_by == owner,)
    total = conn.execute(select(func.count()).select_from(subscriptions).where(*mine)).scalar_one()
    rows = conn.execute(
        select(subscriptions)
        .where(*mine)
        .order_by(subscriptions.c.created_at, subscriptions.c.id)
        .offset(offset)
        .limit(limit)
    ).all()
    return rows, total


def change_subscription(conn: Connection, subscription_id: str, values: dict) -> None:
    conn.execute(
        update(subscriptions).where(subscriptions.c.id == subscription_id).values(**values)
    )


def delete_subscription(conn: Connection, subscription_id: str) -> bool:
    """The subscription with its deliveries and their log; False if there was none."""
    owned = select(deliveries.c.id).where(deliveries.c.subscription_id == subscription_id)
    conn.execute(delete(attempts).where(attempts.c.delivery_id.in_(owned)))
    conn.execute(delete(deliveries).where(deliveries.c.subscription_id == subscription_id))
    removed = conn.execute(delete(subscriptions).where(subscriptions.c.id == subscription_id))
    return removed.rowcount > 0


def active_subscriptions(conn: Connection) -> list:
    """The id and event types of every active subscription (an admin keeps a handful)."""
    return conn.execute(
        select(subscriptions.c.id, subscriptions.c.events).where(subscriptions.c.status == "active")
    ).all()


def queue_delivery(conn: Connection, row: dict) -> None:
    """One event for one subscription; nothing when that pair is already queued."""
    statement = dialect_insert(conn)(deliveries).values(
        status=PENDING, failures=0, first_failed_at=None, delivered_at=None, **row
    )
    conn.execute(
        statement.on_conflict_do_nothing(
            index_elements=[deliveries.c.subscription_id, deliveries.c.event_id]
        )
    )


def due_deliveries(conn: Connection, now: datetime, limit: int) -> list:
    """Pending deliveries of active subscriptions whose time has come, oldest first, each the
    earliest still pending about its subject for its subscription (a later one waits until it
    is delivered). Locked on PostgreSQL, and skipped by another dispatcher meanwhile."""
    earlier = aliased(deliveries)
    waits_behind = exists().where(
        earlier.c.subscription_id == deliveries.c.subscription_id,
        earlier.c.subject == deliveries.c.subject,
        earlier.c.status == PENDING,
        earlier.c.id < deliveries.c.id,
    )
    query = (
        select(
            deliveries.c.id,
            deliveries.c.event_id,
            deliveries.c.body,
            subscriptions.c.id.label("subscription_id"),
            subscriptions.c.url,
            subscriptions.c.secret,
            subscriptions.c.previous_secret,
            subscriptions.c.previous_secret_until,
        )
        .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
        .where(
            deliveries.c.status == PENDING,
            deliveries.c.next_attempt_at <= now,
            subscriptions.c.status == "active",
            ~waits_behind,
        )
        .order_by(deliveries.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(of=deliveries, skip_locked=True)
    return conn.execute(query).all()


def hold(conn: Connection, delivery_ids: list[int], until: datetime) -> None:
    """Push the deliveries being sent out of every dispatcher's reach until `until`."""
    conn.execute(
        update(deliveries).where(deliveries.c.id.in_(delivery_ids)).values(next_attempt_at=until)
    )


def add_attempt(conn: Connection, row: dict) -> None:
    conn.execute(attempts.insert().values(**row))


def delivery_state(conn: Connection, delivery_id: int):
    """Status, failures and first failure of a delivery, locked for recording an attempt."""
    query = select(deliveries.c.status, deliveries.c.failures, deliveries.c.first_failed_at).where(
        deliveries.c.id == delivery_id
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).first()


def change_delivery(conn: Connection, delivery_id: int, values: dict) -> None:
    conn.execute(update(deliveries).where(deliveries.c.id == delivery_id).values(**values))


def send_pending_now(conn: Connection, subscription_id: str, now: datetime) -> None:
    """Every pending delivery of the subscription due at once, on a fresh schedule."""
    conn.execute(
        update(deliveries)
        .where(deliveries.c.subscription_id == subscription_id, deliveries.c.status == PENDING)
        .values(next_attempt_at=now, failures=0, first_failed_at=None)
    )


def send_again(conn: Connection, subscription_id: str, since: datetime, now: datetime) -> int:
    """Delivered deliveries of events that reached the gateway at or after `since`, pending
    again and due now; how many."""
    return conn.execute(
        update(deliveries)
        .where(
            deliveries.c.subscription_id == subscription_id,
            deliveries.c.status == DELIVERED,
            deliveries.c.created_at >= since,
        )
        .values(
            status=PENDING, next_attempt_at=now, failures=0, first_failed_at=None, delivered_at=None
        )
    ).rowcount


def forget_delivered(conn: Connection, before: datetime) -> int:
    """Deliveries delivered before `before`, and their attempts; how many deliveries."""
    old = select(deliveries.c.id).where(
        deliveries.c.status == DELIVERED, deliveries.c.delivered_at < before
    )
    conn.execute(delete(attempts).where(attempts.c.delivery_id.in_(old)))
    return conn.execute(
        delete(deliveries).where(
            deliveries.c.status == DELIVERED, deliveries.c.delivered_at < before
        )
    ).rowcount


def page_of_deliveries(
    conn: Connection, subscription_id: str, offset: int, limit: int
) -> tuple[list[dict], int]:
    """The subscription's deliveries newest first, each with its attempts, newest first."""
    mine = deliveries.c.subscription_id == subscription_id
    total = conn.execute(select(func.count()).select_from(deliveries).where(mine)).scalar_one()
    rows = conn.execute(
        select(
            deliveries.c.id,
            deliveries.c.event_id,
            deliveries.c.event_type,
            deliveries.c.subject,
            deliveries.c.status,
            deliveries.c.failures,
            deliveries.c.next_attempt_at,
            deliveries.c.created_at,
            deliveries.c.delivered_at,
        )
        .where(mine)
        .order_by(deliveries.c.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    page = [row._asdict() | {"log": []} for row in rows]
    by_id = {delivery["id"]: delivery for delivery in page}
    if by_id:
        logged = conn.execute(
            select(attempts)
            .where(attempts.c.delivery_id.in_(list(by_id)))
            .order_by(attempts.c.id.desc())
        )
        for attempt in logged:
            by_id[attempt.delivery_id]["log"].append(attempt._asdict())
    return page, total


def count_by_status(conn: Connection) -> dict[str, int]:
    """How many subscriptions there are in each status."""
    rows = conn.execute(
        select(subscriptions.c.status, func.count()).group_by(subscriptions.c.status)
    )
    return {status: count for status, count in rows}
