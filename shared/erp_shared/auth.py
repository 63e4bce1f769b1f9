"""Bearer-token verification: the gateway signs, every service checks for itself."""

from __future__ import annotations

import jwt

from erp_shared.config import Settings


class InvalidToken(Exception):
    pass


def require_secret(settings: Settings) -> str:
    if not settings.jwt_secret:
        raise RuntimeError(
            "ERP_JWT_SECRET is not set: every process needs the signing secret the gateway uses"
        )
    return settings.jwt_secret


def verify_token(token: str, settings: Settings) -> dict:
    try:
        return jwt.decode(
            token,
            require_secret(settings),
            algorithms=[settings.jwt_algorithm],
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
