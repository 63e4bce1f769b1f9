"""Orders use cases: one function per command, each in one unit of work."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from erp_shared.db import read_only, utcnow
from erp_shared.errors import Conflict, Invalid, NotFound
from erp_shared.uow import UnitOfWork
from orders import db, domain

SERVICE = "orders"


def tax_rate() -> Decimal:
    return Decimal(os.environ.get("ORDERS_TAX_RATE", "0"))


def _request_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def place_order(
    engine: Engine, data: dict, caller: str, idempotency_key: str | None = None
) -> tuple[dict, bool]:
    """Store a pending order and announce it; returns (order, created).

    A retried request with the same Idempotency-Key and body from the same caller answers
    with the order it first created; the same key with another body is a conflict.
    """
    request_hash = _request_hash(data)
    if idempotency_key:
        replay = _replayed_order(engine, caller, idempotency_key, request_hash)
        if replay is not None:
            return replay, False
    order_id = str(uuid.uuid4())
    try:
        with UnitOfWork(engine, SERVICE) as uow:
            if not db.customer_exists(uow.conn, data["customer_id"]):
                raise Invalid(
                    "The order is for an unknown customer.",
                    {"customer_id": [f"Unknown customer {data['customer_id']}."]},
                )
            catalogue = db.catalogue(uow.conn, {line["sku"] for line in data["lines"]})
            try:
                priced = domain.price_order(data["lines"], catalogue, tax_rate())
            except domain.PricingError as exc:
                raise Invalid(str(exc), exc.errors) from None
            now = utcnow()
            number = domain.order_number(
                now.year, db.next_in_sequence(uow.conn, f"order-{now.year}")
            )
            db.insert_order(
                uow.conn,
                {
                    "id": order_id,
                    "number": number,
                    "customer_id": data["customer_id"],
                    "channel": data["channel"],
                    "status": "pending",
                    "campaign_code": data.get("campaign_code"),
                    "shipping_address": data.get("shipping_address"),
                    "note": data.get("note"),
                    "subtotal": priced.subtotal,
                    "tax": priced.tax,
                    "total": priced.total,
                    "currency": priced.currency,
                    "placed_by": caller,
                    "idempotency_key": idempotency_key,
                    "request_hash": request_hash,
                    "created_at": now,
                    "updated_at": now,
                },
                [
                    {
                        "line_no": index,
                        "sku": line.sku,
                        "quantity": line.quantity,
                        "unit_price": line.unit_price,
                        "line_total": line.line_total,
                    }
                    for index, line in enumerate(priced.lines, start=1)
                ],
            )
            db.add_history(uow.conn, order_id, "pending")
            uow.emit(
                "order.placed",
                {
                    "order_id": order_id,
                    "number": number,
                    "customer_id": data["customer_id"],
                    "channel": data["channel"],
                    "campaign_code": data.get("campaign_code"),
                    "lines": [
                        {"sku": line.sku, "quantity": line.quantity, "unit_price": line.unit_price}
                        for line in priced.lines
                    ],
                    "subtotal": priced.subtotal,
                    "total": priced.total,
                    "currency": priced.currency,
                },
            )
    except IntegrityError:
        # Two requests raced with the same key: the loser answers with the winner's order.
        replay = (
            _replayed_order(engine, caller, idempotency_key, request_hash)
            if idempotency_key
            else None
        )
        if replay is None:
            raise
        return replay, False
    return get_order(engine, order_id), True


def _replayed_order(engine: Engine, caller: str, key: str, request_hash: str) -> dict | None:
    with read_only(engine) as conn:
        existing = db.order_by_idempotency_key(conn, caller, key)
    if existing is None:
        return None
    if existing.request_hash != request_hash:
        raise Conflict("This Idempotency-Key was already used with a different request.")
    return get_order(engine, existing.id)


def get_order(engine: Engine, order_id: str) -> dict:
    with read_only(engine) as conn:
        order = db.order_by_id(conn, order_id)
        if order is None:
            raise NotFound(f"No order {order_id}.")
        lines = db.lines_of(conn, order_id)
        history = db.history_of(conn, order_id)
    body = dict(order._mapping)
    body["lines"] = [dict(line._mapping) for line in lines]
    body["history"] = [
        {"status": entry.status, "at": entry.at, "reason": entry.reason} for entry in history
    ]
    return body


def _settle(uow: UnitOfWork, order_id: str, status: str, reason: str | None = None) -> None:
    """Move a pending order on the inventory's answer; a stale or repeated answer is ignored."""
    order = db.order_for_update(uow.conn, order_id)
    if order is None or not domain.can_move(order.status, status):
        return
    extra = {"rejection_reason": reason} if status == "rejected" else {}
    db.set_status(uow.conn, order_id, status, **extra)
    db.add_history(uow.conn, order_id, status, reason)
    uow.emit(f"order.{status}", {"order_id": order_id, "reason": reason})


def confirm_order(uow: UnitOfWork, order_id: str) -> None:
    _settle(uow, order_id, "confirmed")


def reject_order(uow: UnitOfWork, order_id: str, reason: str) -> None:
    _settle(uow, order_id, "rejected", reason)


def replicate_customer(uow: UnitOfWork, data: dict, as_of: datetime) -> None:
    """Keep the local copy of a CRM customer that orders are checked against."""
    db.upsert_customer(
        uow.conn,
        {
            "id": data["customer_id"],
            "name": data["name"],
            "email": data["email"],
            "credit_limit": data.get("credit_limit"),
            "tags": data.get("tags") or [],
            "source_updated_at": as_of,
        },
    )


def replicate_product(uow: UnitOfWork, data: dict, as_of: datetime) -> None:
    """Keep the local copy of a catalogue entry that orders are priced from."""
    db.upsert_product(
        uow.conn,
        {
            "sku": data["sku"],
            "name": data["name"],
            "unit_price": data["unit_price"],
            "currency": data["currency"],
            "category": data.get("category"),
            "source_updated_at": as_of,
        },
    )
