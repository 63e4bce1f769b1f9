"""Rate limits (Flask-Limiter): every API call counts against its caller (the user when
signed in, else the IP), and signing in is limited tighter, per IP and per username, so
guessing passwords is slow from one address and against one account from many.

Counts live in Redis when REDIS_URL is set, so every gunicorn worker and every gateway
replica share them; in memory otherwise (one process only, fine for development). A caller
over a limit gets 429 problem+json with Retry-After.
"""

from __future__ import annotations

import math
import time

from flask import Flask, g, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from erp_shared.config import Settings
from erp_shared.web import problem
from gateway.api import username_tried

SIGN_IN = "auth.issue_token"


def caller() -> str:
    principal = g.get("principal") or {}
    return f"user:{principal['sub']}" if principal.get("sub") else f"ip:{get_remote_address()}"


def username() -> str:
    return f"login:{username_tried()}"


def not_api() -> bool:
    """Health, metrics and the public keys are for machines that must always get through."""
    return not request.path.startswith("/api/")


def install(app: Flask, settings: Settings) -> Limiter:
    """One limiter per app (its storage is its own), the sign-in view wrapped in its limits."""
    limiter = Limiter(
        key_func=caller,
        app=app,
        storage_uri=settings.redis_url or "memory://",
        default_limits=[settings.rate_limit],
        strategy="moving-window",
        key_prefix=f"erp-gateway:{settings.bus_prefix}",
    )
    limiter.request_filter(not_api)
    view = app.view_functions[SIGN_IN]
    per_ip = limiter.limit(settings.login_rate_limit, key_func=get_remote_address)
    per_user = limiter.limit(settings.login_rate_limit, key_func=username)
    app.view_functions[SIGN_IN] = per_ip(per_user(view))

    @app.errorhandler(RateLimitExceeded)
    def too_many(error: RateLimitExceeded):
        """429 with the seconds until the caller's window lets a request through again (the
        library's own headers would also put a Retry-After on every successful answer)."""
        answer = problem(429, f"Too many requests: at most {error.description}.")
        current = limiter.current_limit
        wait = current.reset_at - time.time() if current else 60
        answer.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return answer

    return limiter
