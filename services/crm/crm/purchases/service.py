"""Purchases use cases: keep the copy of orders and returns current, and answer what the
timeline, campaigns and segments ask of it. Each takes the caller's unit of work."""

from __future__ import annotations

from datetime import datetime

from crm.purchases import db
from erp_shared.uow import UnitOfWork

# Orders that earned something: what campaigns and spending segments count.
EARNING = ("confirmed", "partially_shipped", "shipped", "delivered")


def record_order_placed(uow: UnitOfWork, data: dict, at: datetime) -> None:
    values = {
        "order_id": data["order_id"],
        "customer_id": data["customer_id"],
        "number": data["number"],
        "campaign_code": data.get("campaign_code"),
        "revenue": data["subtotal"],
        "currency": data["currency"],
    }
    db.record_placed(uow.conn, values, at)


def record_order_status(uow: UnitOfWork, order_id: str, status: str, at: datetime) -> None:
    db.record_status(uow.conn, order_id, status, at)


def record_return(uow: UnitOfWork, data: dict, status: str, at: datetime) -> None:
    db.record_return(
        uow.conn,
        {
            "return_id": data["return_id"],
            "order_id": data["order_id"],
            "resolution": data["resolution"],
            "status": status,
            "changed_at": at,
        },
    )


def orders_of(uow: UnitOfWork, customer_id: str) -> list[dict]:
    return db.orders_of(uow.conn, customer_id)


def customer_of_order(uow: UnitOfWork, order_id: str) -> str | None:
    """Whose order it is, as far as the CRM has heard (None for an order it has not)."""
    return db.customer_of(uow.conn, order_id)


def returns_of(uow: UnitOfWork, customer_id: str) -> list[dict]:
    return db.returns_of(uow.conn, customer_id)


def orders_with_code(uow: UnitOfWork, code: str) -> list[dict]:
    return db.with_code(uow.conn, code)


def first_orders(uow: UnitOfWork, customer_ids) -> dict[str, datetime]:
    return db.first_orders(uow.conn, customer_ids)


def spending(uow: UnitOfWork) -> dict[str, tuple]:
    return db.spending(uow.conn, EARNING)


def reassign(uow: UnitOfWork, from_id: str, to_id: str) -> None:
    db.reassign(uow.conn, from_id, to_id)
