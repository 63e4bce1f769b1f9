"""Webhook use cases: subscriptions (an admin's, or an integration's own), the worker's
queueing of each event for its subscribers, and the dispatcher's claiming of due deliveries
and recording of each attempt. A caller who is not an admin finds only the subscriptions it
made: another's is 404, as if there were none.

Each takes the caller's unit of work; none sends anything over the network (the dispatcher
does, between `claim_due` and `record_attempt`), so every step here is one short transaction.
"""

from __future__ import annotations

import random
import socket
import uuid
from datetime import datetime

from erp_shared.errors import Invalid, Unknown
from erp_shared.events import Event
from erp_shared.uow import UnitOfWork
from gateway.settings import GatewaySettings
from gateway.webhooks import db, domain


def resolve_host(host: str) -> list[str]:
    """Every address the host name stands for, as the sender's connection would find them."""
    return [info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)]


def target_problems(settings: GatewaySettings, url: str) -> list[str]:
    """What keeps `url` from being called now, by this deployment's policy (none: it may)."""
    return domain.url_problems(
        url,
        development=settings.is_development,
        allowed_hosts=settings.webhook_allow_hosts,
        resolve=resolve_host,
    )


def _check_target(settings: GatewaySettings, url: str) -> None:
    if problems := target_problems(settings, url):
        raise Invalid("The webhook's URL may not be called.", {"url": problems})


def _check_events(events, owner: str | None) -> None:
    if problems := domain.event_problems(events, owner):
        raise Invalid("Only an admin may subscribe to these events.", {"events": problems})


def create_subscription(
    uow: UnitOfWork, settings: GatewaySettings, principal: dict, data: dict
) -> dict:
    """A new active subscription; its secret is in this answer and no other but a rotation's."""
    _check_target(settings, data["url"])
    _check_events(data["events"], domain.owner_of(principal))
    row = {
        "id": str(uuid.uuid4()),
        "url": data["url"],
        "events": sorted(set(data["events"])),
        "description": data.get("description"),
        "status": "active",
        "secret": domain.new_secret(),
        "created_by": principal.get("sub"),
        "created_at": uow.now,
        "updated_at": uow.now,
    }
    db.add_subscription(uow.conn, row)
    return _shown(_found(uow, principal, row["id"])) | {"secret": row["secret"]}


def get_subscription(uow: UnitOfWork, principal: dict, subscription_id: str) -> dict:
    return _shown(_found(uow, principal, subscription_id))


def list_subscriptions(
    uow: UnitOfWork, principal: dict, offset: int, limit: int
) -> tuple[list[dict], int]:
    rows, total = db.page_of_subscriptions(uow.conn, domain.owner_of(principal), offset, limit)
    return [_shown(row) for row in rows], total


def change_subscription(
    uow: UnitOfWork, settings: GatewaySettings, principal: dict, subscription_id: str, changes: dict
) -> dict:
    """New URL, events, description, or status: `paused` stops sending (what is pending
    waits), `active` resumes, and turns a disabled subscription on again with every pending
    delivery due at once on a fresh schedule."""
    current = _found(uow, principal, subscription_id, locked=True)
    values = {"updated_at": uow.now}
    if "url" in changes:
        _check_target(settings, changes["url"])
        values["url"] = changes["url"]
    if "events" in changes:
        _check_events(changes["events"], domain.owner_of(principal))
        values["events"] = sorted(set(changes["events"]))
    if "description" in changes:
        values["description"] = changes["description"]
    if "status" in changes:
        values["status"] = changes["status"]
        values["disabled_reason"] = None
        if changes["status"] == "active" and current.status != "active":
            db.send_pending_now(uow.conn, subscription_id, uow.now)
    db.change_subscription(uow.conn, subscription_id, values)
    return get_subscription(uow, principal, subscription_id)


def delete_subscription(uow: UnitOfWork, principal: dict, subscription_id: str) -> None:
    """The subscription, what it still had pending and its log."""
    _found(uow, principal, subscription_id, locked=True)
    db.delete_subscription(uow.conn, subscription_id)


def rotate_secret(uow: UnitOfWork, principal: dict, subscription_id: str) -> dict:
    """A new secret, shown in this answer only; the one it replaces still signs every
    delivery beside it for domain.SECRET_GRACE, so the receiver can switch without a gap."""
    current = _found(uow, principal, subscription_id, locked=True)
    secret = domain.new_secret()
    db.change_subscription(
        uow.conn,
        subscription_id,
        {
            "secret": secret,
            "previous_secret": current.secret,
            "previous_secret_until": uow.now + domain.SECRET_GRACE,
            "updated_at": uow.now,
        },
    )
    return get_subscription(uow, principal, subscription_id) | {"secret": secret}


def deliveries(
    uow: UnitOfWork, principal: dict, subscription_id: str, offset: int, limit: int
) -> tuple[list[dict], int]:
    """The subscription's delivery log, newest first, each with its attempts."""
    _found(uow, principal, subscription_id)
    return db.page_of_deliveries(uow.conn, subscription_id, offset, limit)


def replay(uow: UnitOfWork, principal: dict, subscription_id: str, since: datetime) -> int:
    """Send again, each with the webhook-id it had, the delivered events that reached the
    gateway at or after `since`; how many. What is still pending goes anyway."""
    _found(uow, principal, subscription_id, locked=True)
    return db.send_again(uow.conn, subscription_id, since, uow.now)


def forget_old_deliveries(uow: UnitOfWork, _settings=None) -> int:
    """The worker's chore: delivered events older than domain.DELIVERIES_KEPT leave the log
    (what is still pending stays, however old); how many."""
    return db.forget_delivered(uow.conn, uow.now - domain.DELIVERIES_KEPT)


def queue_deliveries(uow: UnitOfWork, event: Event) -> None:
    """The worker's handler for every event type: one delivery per active subscription that
    takes the event's type, in the transaction that claims the event, so each subscriber is
    owed each event exactly once."""
    takers = [row.id for row in db.active_subscriptions(uow.conn) if event.type in row.events]
    if not takers:
        return
    body = domain.body_of(event)
    subject = domain.subject_of(event.type, event.data, event.id)
    for subscription_id in takers:
        db.queue_delivery(
            uow.conn,
            {
                "subscription_id": subscription_id,
                "event_id": event.id,
                "event_type": event.type,
                "subject": subject,
                "body": body,
                "next_attempt_at": uow.now,
                "created_at": uow.now,
            },
        )


def claim_due(uow: UnitOfWork, limit: int) -> list[domain.Outgoing]:
    """Due deliveries, each held for domain.SENDING_LEASE: a dispatcher that dies before it
    records the attempt leaves it pending, to be sent again, same webhook-id, once that
    passes."""
    rows = db.due_deliveries(uow.conn, uow.now, limit)
    if rows:
        db.hold(uow.conn, [row.id for row in rows], uow.now + domain.SENDING_LEASE)
    return [
        domain.Outgoing(
            delivery_id=row.id,
            webhook_id=row.event_id,
            subscription_id=row.subscription_id,
            url=row.url,
            body=row.body,
            secrets=tuple(
                domain.Secrets(row.secret, row.previous_secret, row.previous_secret_until).signing(
                    uow.now
                )
            ),
        )
        for row in rows
    ]


def record_attempt(
    uow: UnitOfWork, outgoing: domain.Outgoing, outcome: domain.Outcome, rng: random.Random
) -> str:
    """The attempt in the log, and its consequence: delivered; or tried again after a
    jittered wait; or, when the delivery has failed for as long as the schedule lasts, its
    subscription disabled with the reason (the delivery stays pending for when it is turned
    on again). Returns which: delivered, retrying, disabled, or duplicate when another
    dispatcher (whose lease this one outlived) settled it first."""
    db.add_attempt(
        uow.conn,
        {
            "delivery_id": outgoing.delivery_id,
            "at": uow.now,
            "status_code": outcome.status_code,
            "error": outcome.error[:200] if outcome.error else None,
            "latency_ms": outcome.latency_ms,
        },
    )
    state = db.delivery_state(uow.conn, outgoing.delivery_id)
    if state is None or state.status != db.PENDING:
        return "duplicate"  # deleted meanwhile, or sent and recorded by another dispatcher
    if outcome.delivered:
        db.change_delivery(
            uow.conn,
            outgoing.delivery_id,
            {
                "status": db.DELIVERED,
                "delivered_at": uow.now,
                "next_attempt_at": None,
                "failures": 0,
                "first_failed_at": None,
            },
        )
        return "delivered"
    failures = state.failures + 1
    first_failed_at = state.first_failed_at or uow.now
    db.change_delivery(
        uow.conn,
        outgoing.delivery_id,
        {
            "failures": failures,
            "first_failed_at": first_failed_at,
            "next_attempt_at": uow.now + domain.retry_delay(failures, rng),
        },
    )
    if not domain.gives_up(first_failed_at, uow.now):
        return "retrying"
    reason = (f"Deliveries failed for {domain.GIVE_UP_AFTER}; the last attempt: {outcome.reason}")[
        :500
    ]
    db.change_subscription(
        uow.conn,
        outgoing.subscription_id,
        {"status": "disabled", "disabled_reason": reason, "updated_at": uow.now},
    )
    return "disabled"


def subscriptions_by_status(uow: UnitOfWork) -> dict[str, int]:
    return db.count_by_status(uow.conn)


def _found(uow: UnitOfWork, principal: dict, subscription_id: str, *, locked: bool = False):
    """The subscription, if the caller may see it."""
    row = db.subscription(uow.conn, subscription_id, locked=locked)
    owner = domain.owner_of(principal)
    if row is None or (owner is not None and row.created_by != owner):
        raise Unknown(f"No webhook {subscription_id}.")
    return row


def _shown(row) -> dict:
    """A subscription as the API shows it: never its secrets."""
    return {
        "id": row.id,
        "url": row.url,
        "events": row.events,
        "description": row.description,
        "status": row.status,
        "disabled_reason": row.disabled_reason,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }
