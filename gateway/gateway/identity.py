"""Who may call: password hashing and the tokens the gateway signs.

Argon2id hashes (argon2-cffi's defaults) and EdDSA tokens with a key id, issuer and expiry,
signed with the gateway's private key (gateway.keys); services verify with the public key.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from erp_shared.config import Settings
from gateway.keys import SigningKeys

ROLES = ("admin", "sales", "warehouse", "support", "analyst", "customer")
TOKEN_TTL_SECONDS = 3600


@dataclass(frozen=True)
class User:
    id: str
    username: str
    password_hash: str
    roles: list[str]
    customer_id: str | None
    active: bool
    created_at: datetime


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
