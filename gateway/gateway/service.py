"""Gateway use cases: sign in, add users, make sure the first admin exists.

Each takes the caller's unit of work, except `ensure_admin`, which runs once at start-up.
"""

from __future__ import annotations

import contextlib
import uuid

from sqlalchemy.engine import Engine

from erp_shared.config import Settings
from erp_shared.errors import Conflict, Forbidden, Unauthenticated, Unknown
from erp_shared.uow import UnitOfWork
from gateway import db, identity
from gateway.identity import User
from gateway.keys import SigningKeys


def sign_in(
    uow: UnitOfWork, settings: Settings, keys: SigningKeys, username: str, password: str
) -> dict:
    user = db.user_by_name(uow.conn, username)
    if not identity.password_matches(user.password_hash if user else None, password) or (
        user is not None and not user.active
    ):
        raise Unauthenticated("Unknown user or wrong password.")
    return identity.issue_token(settings, keys, user)


def add_user(uow: UnitOfWork, principal: dict, data: dict) -> User:
    if "admin" not in principal.get("roles", []):
        raise Forbidden("Only an admin may add users.")
    return _new_user(uow, data)


def _new_user(uow: UnitOfWork, data: dict) -> User:
    user = User(
        id=str(uuid.uuid4()),
        username=data["username"],
        password_hash=identity.hash_password(data["password"]),
        roles=sorted(set(data["roles"])),
        customer_id=data.get("customer_id"),
        active=True,
        created_at=uow.now,
    )
    db.add_user(uow.conn, user)
    return user


def list_users(uow: UnitOfWork, offset: int, limit: int) -> tuple[list[User], int]:
    return db.page_of_users(uow.conn, offset, limit)


def get_user(uow: UnitOfWork, user_id: str) -> User:
    user = db.user_by_id(uow.conn, user_id)
    if user is None:
        raise Unknown(f"No user {user_id}.")
    return user


def ensure_admin(engine: Engine, password: str) -> None:
    """Create `admin` on first start; several gunicorn workers may race, one wins."""
    with UnitOfWork(engine, "gateway", readonly=True) as uow:
        if db.user_by_name(uow.conn, "admin") is not None:
            return
    with contextlib.suppress(Conflict), UnitOfWork(engine, "gateway") as uow:
        add_user(
            uow,
            {"roles": ["admin"]},
            {"username": "admin", "password": password, "roles": ["admin"]},
        )
