"""Loading and saving customers: the only SQL of the CRM."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from crm.domain import Customer
from crm.tables import addresses, customers
from erp_shared.db import insert_unique
from erp_shared.errors import Conflict

_COLUMNS = (
    "id",
    "name",
    "email",
    "phone",
    "company",
    "credit_limit",
    "tags",
    "segment",
    "created_at",
    "updated_at",
)
_ADDRESS_FIELDS = ("kind", "line1", "city", "postal_code", "country")


def add(conn: Connection, customer: Customer) -> None:
    insert_unique(
        conn,
        customers.insert().values({name: getattr(customer, name) for name in _COLUMNS}),
        Conflict(
            f"A customer with email {customer.email} already exists.",
            {"email": ["Already used."]},
        ),
    )
    if customer.addresses:
        conn.execute(
            addresses.insert(),
            [
                {"customer_id": customer.id, **{f: a[f] for f in _ADDRESS_FIELDS}}
                for a in customer.addresses
            ],
        )


def get(conn: Connection, customer_id: str) -> Customer | None:
    row = conn.execute(
        select(*(customers.c[name] for name in _COLUMNS)).where(customers.c.id == customer_id)
    ).first()
    if row is None:
        return None
    rows = conn.execute(
        select(*(addresses.c[name] for name in _ADDRESS_FIELDS))
        .where(addresses.c.customer_id == customer_id)
        .order_by(addresses.c.id)
    )
    return Customer(
        **{name: getattr(row, name) for name in _COLUMNS},
        addresses=[{name: getattr(a, name) for name in _ADDRESS_FIELDS} for a in rows],
    )


def set_segment(conn: Connection, customer_id: str, segment: str, at: datetime) -> None:
    conn.execute(
        update(customers)
        .where(customers.c.id == customer_id)
        .values(segment=segment, updated_at=at)
    )
