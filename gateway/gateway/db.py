"""The gateway's own tables: users and their roles."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, MetaData, String, Table, select
from sqlalchemy.engine import Connection

from erp_shared.db import UtcDateTime

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("customer_id", String(36)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False),
)


def user_by_name(conn: Connection, username: str):
    return conn.execute(select(users).where(users.c.username == username)).first()


def insert_user(conn: Connection, values: dict) -> None:
    conn.execute(users.insert().values(**values))
