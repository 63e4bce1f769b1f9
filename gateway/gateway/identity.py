"""Who may call: password hashing and the tokens the gateway signs.

Argon2id hashes (argon2-cffi's defaults) and EdDSA tokens with a key id, issuer and expiry,
signed with the gateway's private key (gateway.keys); services verify with the public key.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from erp_shared.config import Settings
from gateway.keys import SigningKeys

# Access tokens are short-lived (Settings.token_lifetime, 15 minutes unless configured):
# services cannot ask whether one was revoked, so signing out or disabling a user takes
# effect everywhere within this long. Refresh tokens last.
REFRESH_TTL = timedelta(days=7)
# A session (a chain of refresh tokens from one sign-in) ends this long after the sign-in,
# however often it was refreshed: a stolen refresh token is not good for ever.
SESSION_LIFETIME = timedelta(days=30)
# How soon after a refresh token's use a second use is taken for another tab of the same
# browser renewing at the same moment, not for a stolen copy (gateway.service.refresh).
SIBLING_GRACE = timedelta(seconds=10)
# Wrong passwords for one username from one address: the first FREE_TRIES cost nothing, then
# each makes that address wait before it may try that username again, FIRST_WAIT doubling up
# to LONGEST_WAIT. A lock per account let anyone lock anyone out (a customer, the admin);
# this slows a guesser as much while the owner, from elsewhere, signs in as usual. Failures
# a day old are forgotten. (The per-username rate limit bounds guessing from many addresses.)
FREE_TRIES = 3
# What an integration's key starts with, so one found in a log or a repository is known for
# what it is.
API_KEY_PREFIX = "erpk_"
FIRST_WAIT = timedelta(seconds=1)
LONGEST_WAIT = timedelta(minutes=15)
FORGOTTEN_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class User:
    id: str
    username: str
    password_hash: str
    roles: list[str]
    customer_id: str | None
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class FailedSignIns:
    """Wrong passwords in a row for one username from one address."""

    count: int
    last_at: datetime

    def wait_until(self) -> datetime | None:
        if self.count < FREE_TRIES:
            return None
        return self.last_at + min(FIRST_WAIT * 2 ** (self.count - FREE_TRIES), LONGEST_WAIT)

    def waiting(self, now: datetime) -> int:
        """Whole seconds still to wait before a password is looked at again (0: none)."""
        until = self.wait_until()
        return 0 if until is None or until <= now else math.ceil((until - now).total_seconds())


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
    """A customer account must say which customer it is, and is nothing else; an
    integration account is a machine's and nothing else either."""
    if "customer" in roles and not customer_id:
        return ["A customer account needs its customer_id."]
    if "customer" in roles and len(roles) > 1:
        return ["A customer account has no staff roles."]
    if "integration" in roles and len(roles) > 1:
        return ["An integration account has no other role."]
    return []


def new_api_key() -> str:
    """An integration's key: random, made here rather than chosen, so no person's password
    is ever a machine's credential. It is stored hashed, as a password is."""
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


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


def issue_token(settings: Settings, keys: SigningKeys, user: User) -> dict:
    now, ttl = int(time.time()), settings.token_lifetime
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
