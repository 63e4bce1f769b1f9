"""Bearer tokens: the gateway signs them, every service checks them for itself.

The gateway signs with a private Ed25519 key (EdDSA) and names it in the token's `kid`;
everyone else verifies with public keys only, fetched from the gateway's JWKS (or a mounted
file) and cached. So no service can mint a token, and keys rotate without downtime: a new
key is published first, signed with later, and the old one dropped once its tokens expired.
Only EdDSA is accepted: `alg: none` and an HS256 token made with a public key are refused
before any key is looked at. A token may last no longer than the configured lifetime, so
whoever got hold of a private key cannot mint one that outlives the key's removal.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import jwt

from erp_shared.config import Settings

ALGORITHM = "EdDSA"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "iss", "roles"]
# A key id not in the cached set triggers at most one refetch per this many seconds, so a
# stream of made-up key ids cannot turn into a stream of JWKS requests.
REFETCH_COOLDOWN = 30.0
# A client sends the same token with every request for its whole life, so each process checks
# a token's signature once and, on later uses, only its expiry and that its key is still
# published: the signature and the decoding were a third of a forwarded read's CPU. A key
# removed in a rotation (a leaked one, say) takes its tokens with it at once.
TOKENS_REMEMBERED = 4096
# How often a mounted key file is looked at for a change (a stat, no read).
KEY_FILE_CHECK = 1.0


class InvalidToken(Exception):
    pass


class KeysUnavailable(Exception):
    """The public keys could not be fetched: nobody can be verified until they can."""


class Verifier:
    """Checks a token's algorithm, key, signature, issuer, lifetime and expiry."""

    def __init__(self, find_key: Callable[[str], object], issuer: str, max_lifetime: int):
        self.find_key = find_key
        self.issuer = issuer
        self.max_lifetime = max_lifetime
        self._checked = functools.lru_cache(maxsize=TOKENS_REMEMBERED)(self._check)

    def verify(self, token: str) -> dict:
        kid, claims = self._checked(token)
        self.find_key(kid)  # still published: refuses the tokens of a key rotated out
        if claims["exp"] <= time.time():
            raise InvalidToken("Signature has expired")
        return dict(claims)

    def _check(self, token: str) -> tuple[str, dict]:
        """The key id and claims of a token not seen before, once its signature, algorithm,
        key and claims are checked; a refusal is raised, so it is never remembered."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        if header.get("alg") != ALGORITHM:
            raise InvalidToken(f"tokens are signed with {ALGORITHM}")
        if not isinstance(header.get("kid"), str):
            raise InvalidToken("the token names no key")
        key = self.find_key(header["kid"])
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        if claims["exp"] - claims["iat"] > self.max_lifetime:
            raise InvalidToken(f"a token may last at most {self.max_lifetime} seconds")
        return header["kid"], claims


def mounted_keys(path: Path) -> Callable[[str], object]:
    """Public keys by key id from a mounted JWKS file, read again whenever the file changed
    (looked at every KEY_FILE_CHECK seconds): a key added or removed in a rotation counts
    within a second, without a restart."""
    state = {"keys": {}, "version": None, "checked_at": -math.inf}

    def find(kid: str):
        now = time.monotonic()
        if now - state["checked_at"] > KEY_FILE_CHECK:
            try:
                stat = path.stat()
                version = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
                if version != state["version"]:
                    keys = jwt.PyJWKSet.from_json(path.read_text()).keys
                    state["keys"] = {key.key_id: key.key for key in keys}
                    state["version"] = version
            except (OSError, jwt.PyJWTError) as exc:
                raise KeysUnavailable(f"the public keys in {path} could not be read") from exc
            state["checked_at"] = now
        if kid not in state["keys"]:
            raise InvalidToken(f"unknown key {kid}")
        return state["keys"][kid]

    return find


def published_keys(jwks_url: str) -> Callable[[str], object]:
    """Public keys by key id from the gateway's JWKS URL, cached for five minutes and
    refetched when a token names a key not seen yet: a key the gateway stopped publishing
    is refused here within five minutes."""
    client = jwt.PyJWKClient(
        jwks_url, cache_jwk_set=True, lifespan=300, timeout=5, cooldown_duration=REFETCH_COOLDOWN
    )

    def find(kid: str):
        try:
            return client.get_signing_key(kid).key
        except jwt.PyJWKClientConnectionError as exc:
            raise KeysUnavailable(f"the public keys at {jwks_url} could not be read") from exc
        except jwt.PyJWKClientError as exc:
            raise InvalidToken(f"unknown key {kid}") from exc

    return find


def verifier_for(settings: Settings) -> Verifier:
    if not settings.jwks_url:
        raise RuntimeError(
            "ERP_JWKS_URL is not set: every service needs the gateway's public keys "
            "(its /.well-known/jwks.json, or a mounted JWKS file as file://...)"
        )
    url = settings.jwks_url
    if url.startswith("file://"):
        find = mounted_keys(Path(url2pathname(urlparse(url).path)))
    else:
        find = published_keys(url)
    return Verifier(find, settings.jwt_issuer, settings.token_lifetime)


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
