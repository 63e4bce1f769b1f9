"""Users: the only SQL of the gateway."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from erp_shared.db import insert_unique
from erp_shared.errors import Conflict
from gateway.identity import User
from gateway.tables import users

_COLUMNS = ("id", "username", "password_hash", "roles", "customer_id", "active", "created_at")


def _user(conn: Connection, condition) -> User | None:
    row = conn.execute(select(*(users.c[name] for name in _COLUMNS)).where(condition)).first()
    return None if row is None else User(**{name: getattr(row, name) for name in _COLUMNS})


def user_by_name(conn: Connection, username: str) -> User | None:
    return _user(conn, users.c.username == username)


def user_by_id(conn: Connection, user_id: str) -> User | None:
    return _user(conn, users.c.id == user_id)


def add_user(conn: Connection, user: User) -> None:
    insert_unique(
        conn,
        users.insert().values({name: getattr(user, name) for name in _COLUMNS}),
        Conflict(f"User {user.username} already exists.", {"username": ["Already taken."]}),
    )


def page_of_users(conn: Connection, offset: int, limit: int) -> tuple[list[User], int]:
    total = conn.execute(select(func.count()).select_from(users)).scalar_one()
    rows = conn.execute(
        select(*(users.c[name] for name in _COLUMNS))
        .order_by(users.c.username)
        .offset(offset)
        .limit(limit)
    )
    return [User(**row._asdict()) for row in rows], total
