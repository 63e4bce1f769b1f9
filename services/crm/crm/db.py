"""CRM tables and every query against them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    select,
    update,
)
from sqlalchemy.engine import Connection

from erp_shared.db import Money, UtcDateTime

metadata = MetaData()

customers = Table(
    "customers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False, unique=True),
    Column("phone", String(40)),
    Column("company", String(200)),
    Column("credit_limit", Money),
    Column("tags", JSON, nullable=False, default=list),
    Column("segment", String(40)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

addresses = Table(
    "addresses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", String(36), ForeignKey("customers.id"), nullable=False, index=True),
    Column("kind", String(10), nullable=False),
    Column("line1", String(200), nullable=False),
    Column("city", String(100), nullable=False),
    Column("postal_code", String(20), nullable=False),
    Column("country", String(2), nullable=False),
    CheckConstraint("kind IN ('billing', 'shipping')", name="ck_address_kind"),
)


def email_taken(conn: Connection, email: str) -> bool:
    return (
        conn.execute(select(customers.c.id).where(customers.c.email == email)).first() is not None
    )


def insert_customer(conn: Connection, values: dict, customer_addresses: list[dict]) -> None:
    conn.execute(customers.insert().values(**values))
    if customer_addresses:
        conn.execute(
            addresses.insert(), [{"customer_id": values["id"], **a} for a in customer_addresses]
        )


def customer_by_id(conn: Connection, customer_id: str):
    return conn.execute(select(customers).where(customers.c.id == customer_id)).first()


def addresses_of(conn: Connection, customer_id: str):
    return conn.execute(
        select(addresses).where(addresses.c.customer_id == customer_id).order_by(addresses.c.id)
    ).all()


def set_segment(conn: Connection, customer_id: str, segment: str, at) -> None:
    conn.execute(
        update(customers)
        .where(customers.c.id == customer_id)
        .values(segment=segment, updated_at=at)
    )
