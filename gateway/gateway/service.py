"""Gateway use cases: sign in, add users and integration accounts, make sure the first admin
exists.

Each takes the caller's unit of work, except `ensure_admin`, which runs once at start-up.
"""

from __future__ import annotations

import contextlib
import uuid

from sqlalchemy.engine import Engine

from erp_shared.config import Settings
from erp_shared.errors import Conflict, Forbidden, Invalid, TooSoon, Unknown
from erp_shared.uow import UnitOfWork
from gateway import db, identity
from gateway.identity import User
from gateway.keys import SigningKeys


def sign_in(
    uow: UnitOfWork,
    settings: Settings,
    keys: SigningKeys,
    username: str,
    password: str,
    address: str,
) -> dict | None:
    """A token, or None when the sign-in failed; a failure is counted for this username and
    address (the caller commits before refusing). While that address must wait, no password
    is looked at (TooSoon), for known and unknown usernames alike."""
    earlier = db.failed_sign_ins_from(uow.conn, username, address)
    if earlier is not None and (wait := earlier.waiting(uow.now)):
        raise TooSoon(
            f"Too many wrong passwords for this username from your address: try again in {wait} s.",
            wait,
        )
    user = db.user_by_name(uow.conn, username)
    matches = identity.password_matches(user.password_hash if user else None, password)
    if user is None or not user.active or not matches:
        forgotten_before = uow.now - identity.FORGOTTEN_AFTER
        db.count_failed_sign_in(uow.conn, username, address, uow.now, forgotten_before)
        return None
    if earlier is not None:
        db.forget_failed_sign_ins(uow.conn, username, address)
    return _tokens(uow, settings, keys, user, session_started_at=uow.now)


def _tokens(
    uow: UnitOfWork, settings: Settings, keys: SigningKeys, user: User, session_started_at
) -> dict:
    token, digest = identity.new_refresh_token()
    expires = min(uow.now + identity.REFRESH_TTL, session_started_at + identity.SESSION_LIFETIME)
    db.add_refresh_token(
        uow.conn,
        {
            "digest": digest,
            "user_id": user.id,
            "issued_at": uow.now,
            "expires_at": expires,
            "session_started_at": session_started_at,
        },
    )
    return identity.issue_token(settings, keys, user) | {
        "refresh_token": token,
        "refresh_expires_in": int((expires - uow.now).total_seconds()),
    }


def refresh(uow: UnitOfWork, settings: Settings, keys: SigningKeys, token: str) -> dict | None:
    """New tokens for a refresh token, which is used up; None if it is unknown, expired,
    revoked or its user disabled. A used-up token offered again was copied: every refresh
    token of its user is revoked, so the thief and the owner both sign in again, unless it
    comes within SIBLING_GRACE of its use, as a second tab of the same browser renewing at the
    same moment does: that one gets tokens of its own. The new refresh token ends with the
    session, SESSION_LIFETIME after the sign-in at the latest."""
    stored = db.refresh_token(uow.conn, identity.refresh_digest(token))
    if stored is None:
        return None
    sibling = stored.used_at is not None and uow.now - stored.used_at <= identity.SIBLING_GRACE
    if stored.revoked_at is not None and not sibling:
        db.revoke_refresh_tokens(uow.conn, uow.now, user_id=stored.user_id)
        return None
    user = db.user_by_id(uow.conn, stored.user_id)
    if stored.expires_at <= uow.now or user is None or not user.active:
        return None
    db.use_up_refresh_token(uow.conn, stored.digest, uow.now)
    return _tokens(uow, settings, keys, user, stored.session_started_at)


def sign_out(uow: UnitOfWork, token: str) -> None:
    """The refresh token stops working; the access token runs out within minutes."""
    db.revoke_refresh_tokens(uow.conn, uow.now, digest=identity.refresh_digest(token))


def add_user(uow: UnitOfWork, principal: dict, data: dict) -> User:
    if "admin" not in principal.get("roles", []):
        raise Forbidden("Only an admin may add users.")
    if "integration" in data["roles"]:
        raise Invalid(
            "An integration account gets a key, not a password.",
            {"roles": ["Add integration accounts at /api/v1/auth/integrations."]},
        )
    return _new_user(uow, data)


def add_integration(uow: UnitOfWork, principal: dict, username: str) -> tuple[User, str]:
    """A machine's account and its API key, shown in this answer only. It signs in at
    /auth/token with the key as its password; it has no password a person chose."""
    if "admin" not in principal.get("roles", []):
        raise Forbidden("Only an admin may add integration accounts.")
    if db.user_by_name(uow.conn, username) is not None:
        raise Conflict(f"The username {username} is taken.")
    key = identity.new_api_key()
    user = User(
        id=str(uuid.uuid4()),
        username=username,
        password_hash=identity.hash_password(key),
        roles=["integration"],
        customer_id=None,
        active=True,
        created_at=uow.now,
    )
    db.add_user(uow.conn, user)
    return user, key


def new_integration_key(uow: UnitOfWork, user_id: str) -> tuple[User, str]:
    """A new key for an integration account: the old one stops working at once, and so do
    the refresh tokens it was given (its access tokens run out within minutes)."""
    user = get_user(uow, user_id)
    if "integration" not in user.roles:
        raise Unknown(f"No integration account {user_id}.")
    key = identity.new_api_key()
    db.change_user(uow.conn, user_id, {"password_hash": identity.hash_password(key)})
    db.forget_failed_sign_ins(uow.conn, user.username)
    db.revoke_refresh_tokens(uow.conn, uow.now, user_id=user_id)
    return user, key


def _checked(username: str, password: str | None, roles, customer_id) -> None:
    errors = {}
    if password is not None and (problems := identity.password_problems(username, password)):
        errors["password"] = problems
    if problems := identity.role_problems(roles, customer_id):
        errors["roles"] = problems
    if errors:
        raise Invalid("The user is not valid.", errors)


def _new_user(uow: UnitOfWork, data: dict) -> User:
    _checked(data["username"], data["password"], data["roles"], data.get("customer_id"))
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


def change_user(uow: UnitOfWork, principal: dict, user_id: str, changes: dict) -> User:
    """Roles, customer, a new password (which also ends every wait for a wrong one) or
    disabling. An admin may
    not disable or demote itself: the last admin would lock everyone out."""
    user = get_user(uow, user_id)
    if user.username == principal.get("sub") and (
        changes.get("active") is False or "admin" not in changes.get("roles", ["admin"])
    ):
        raise Conflict("You may not disable yourself or take away your own admin role.")
    roles = sorted(set(changes.get("roles", user.roles)))
    if ("integration" in roles) != ("integration" in user.roles):
        raise Invalid(
            "An account does not become, or stop being, an integration's.",
            {"roles": ["Add integration accounts at /api/v1/auth/integrations."]},
        )
    if "integration" in user.roles and "password" in changes:
        raise Invalid(
            "An integration account has a key, not a password.",
            {"password": ["Ask for a new key at /api/v1/auth/integrations/{id}/key."]},
        )
    customer_id = changes.get("customer_id", user.customer_id)
    _checked(user.username, changes.get("password"), roles, customer_id)
    values = {"roles": roles, "customer_id": customer_id}
    if "active" in changes:
        values["active"] = changes["active"]
    if "password" in changes:
        values["password_hash"] = identity.hash_password(changes["password"])
        db.forget_failed_sign_ins(uow.conn, user.username)
    db.change_user(uow.conn, user_id, values)
    if changes.get("active") is False or "password" in changes:
        db.revoke_refresh_tokens(uow.conn, uow.now, user_id=user_id)
    return get_user(uow, user_id)


def list_users(uow: UnitOfWork, offset: int, limit: int) -> tuple[list[User], int]:
    return db.page_of_users(uow.conn, offset, limit)


def audit_trail(uow: UnitOfWork, filters: dict, offset: int, limit: int):
    return db.audit_page(uow.conn, filters, offset, limit)


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
    if problems := identity.password_problems("admin", password):
        raise RuntimeError(f"ERP_ADMIN_PASSWORD does not meet the password policy: {problems}")
    with contextlib.suppress(Conflict), UnitOfWork(engine, "gateway") as uow:
        add_user(
            uow,
            {"roles": ["admin"]},
            {"username": "admin", "password": password, "roles": ["admin"]},
        )
