"""Gateway use cases: sign in, add users, make sure the first admin exists."""

from __future__ import annotations

import contextlib
import uuid

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from erp_shared.config import Settings
from erp_shared.db import read_only, utcnow
from erp_shared.errors import Conflict, Problem
from gateway import db, identity


class BadCredentials(Problem):
    status = 401


def sign_in(engine: Engine, settings: Settings, username: str, password: str) -> dict:
    with read_only(engine) as conn:
        user = db.user_by_name(conn, username)
    if not identity.password_matches(user.password_hash if user else None, password) or (
        user is not None and not user.active
    ):
        raise BadCredentials("Unknown user or wrong password.")
    return identity.issue_token(settings, user)


def add_user(engine: Engine, data: dict) -> dict:
    values = {
        "id": str(uuid.uuid4()),
        "username": data["username"],
        "password_hash": identity.hash_password(data["password"]),
        "roles": sorted(set(data["roles"])),
        "customer_id": data.get("customer_id"),
        "active": True,
        "created_at": utcnow(),
    }
    try:
        with engine.begin() as conn:
            db.insert_user(conn, values)
    except IntegrityError:
        raise Conflict(
            f"User {data['username']} already exists.", {"username": ["Already taken."]}
        ) from None
    return values


def ensure_admin(engine: Engine, password: str) -> None:
    """Create `admin` on first start; several gunicorn workers may race, one wins."""
    with read_only(engine) as conn:
        if db.user_by_name(conn, "admin") is not None:
            return
    with contextlib.suppress(Conflict):
        add_user(engine, {"username": "admin", "password": password, "roles": ["admin"]})
