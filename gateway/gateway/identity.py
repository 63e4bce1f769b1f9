"""Who may call: password hashing and the tokens the gateway signs.

Argon2id hashes (argon2-cffi's defaults) and EdDSA tokens with a key id, issuer and expiry,
signed with the gateway's private key (gateway.keys); services verify with the public key.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from erp_shared.config import Settings
from gateway.keys import SigningKeys

ROLES = ("admin", "sales", "warehouse", "support", "analyst", "customer")
# Access tokens are short-lived: services cannot ask whether one was revoked, so signing
# out or disabling a user takes effect everywhere within this long. Refresh tokens last.
TOKEN_TTL_SECONDS = 900
REFRESH_TTL = timedelta(days=7)
# After LOCK_AFTER failed sign-ins in a row an account refuses every password for
# LOCKED_FOR, doubling with each further failure up to a day: guessing gets slow fast, and
# the owner is back in within minutes.
LOCK_AFTER = 5
LOCKED_FOR = timedelta(minutes=15)
LONGEST_LOCK = timedelta(days=1)


@dataclass(frozen=True)
class User:
    id: str
    username: str
    password_hash: str
    roles: list[str]
    customer_id: str | None
    active: bool
    created_at: datetime
    failed_logins: int = 0
    locked_until: datetime | None = None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def failed(self, now: datetime) -> tuple[int, datetime | None]:
        """The failure count and lock after one more wrong password."""
        failures = self.failed_logins + 1
        if failures < LOCK_AFTER:
            return failures, self.locked_until
        return failures, now + min(LOCKED_FOR * 2 ** (failures - LOCK_AFTER), LONGEST_LOCK)


# NIST SP 800-63B: length, not composition rules, is what makes a password hard to guess.
MIN_PASSWORD_LENGTH = 12


def password_problems(username: str, password: str) -> list[str]:
    """Why a password may not be used, if it may not."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"At least {MIN_PASSWORD_LENGTH} characters.")
    if username.lower() in password.lower():
        problems.append("It may not contain the username.")
    if len(set(password)) < 4:
        problems.append("Use more than a few different characters.")
    return problems


def role_problems(roles: list[str], customer_id: str | None) -> list[str]:
    """A customer account must say which customer it is, and is nothing else."""
    if "customer" in roles and not customer_id:
        return ["A customer account needs its customer_id."]
    if "customer" in roles and len(roles) > 1:
        return ["A customer account has no staff roles."]
    return []


_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the answer time the same.
_DUMMY_HASH = _hasher.hash(uuid.uuid4().hex)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def issue_token(
    settings: Settings, keys: SigningKeys, user: User, ttl: int = TOKEN_TTL_SECONDS
) -> dict:
    now = int(time.time())
    claims = {
        "sub": user.username,
        "uid": user.id,
        "roles": list(user.roles),
        "customer_id": user.customer_id,
        "iss": settings.jwt_issuer,
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    token = keys.sign(claims)
    return {"access_token": token, "token_type": "Bearer", "expires_in": ttl}


def new_refresh_token() -> tuple[str, str]:
    """A refresh token and the digest it is stored under."""
    token = secrets.token_urlsafe(32)
    return token, refresh_digest(token)


def refresh_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
