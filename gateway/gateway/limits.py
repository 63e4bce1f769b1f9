"""Rate limits (Flask-Limiter): every API call counts against its caller (the user when
signed in, else the IP), refused or not: a request without a valid token, or one the role
rules refuse, counts against its address like any other. Signing in is limited tighter, per
IP and per username, so guessing passwords is slow from one address and against one account
from many. The requests that cost minutes of CPU or read a whole history (EXPENSIVE) share a
tighter per-user allowance on top.

The address is the client's as far as the trusted proxy hops say (ERP_TRUSTED_PROXY_HOPS,
erp_shared.web): behind an ingress, each client has its own count, not the ingress's.

Counts live in Redis when REDIS_URL is set, so every gunicorn worker and every gateway
replica share them; in memory otherwise (one process only, fine for development). A caller
over a limit gets 429 problem+json with Retry-After. When Redis fails, each process counts the
default limit for itself until Redis answers again (checked with a back-off), logging it and
counting it in erp_rate_limit_storage_errors_total: a lost Redis must not refuse every call.
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, g, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from erp_shared.metrics import RATE_LIMIT_STORAGE_ERRORS
from erp_shared.web import problem
from gateway.api import username_tried
from gateway.settings import GatewaySettings

SIGN_IN = "auth.issue_token"
# What one request can cost minutes of CPU or a scan of every sale for: a catalogue forecast
# (a process per core for every SKU), the two CSV imports (up to the 16 MiB body) and basket
# mining (every order's lines, in memory). Sales reports are not here: they read rollups and
# answer within milliseconds (bench/README.md), and the console's dashboard makes several.
EXPENSIVE = frozenset(
    {
        ("POST", "/api/v1/analytics/forecast/runs"),
        ("POST", "/api/v1/orders/import"),
        ("POST", "/api/v1/analytics/history"),
        ("GET", "/api/v1/analytics/basket"),
    }
)
# Outside /api/ only the gateway's own health report is counted: the probes' /health/live
# and /health/ready, /metrics and the public keys are for machines that must get through.
COUNTED_OUTSIDE_API = ("/health",)


def caller() -> str:
    principal = g.get("principal") or {}
    return f"user:{principal['sub']}" if principal.get("sub") else f"ip:{get_remote_address()}"


def username() -> str:
    return f"login:{username_tried()}"


def not_counted() -> bool:
    return not request.path.startswith("/api/") and request.path not in COUNTED_OUTSIDE_API


def not_expensive() -> bool:
    return (request.method, request.path.rstrip("/")) not in EXPENSIVE


class _StorageErrors(logging.Handler):
    """Counts Flask-Limiter's warnings and errors, each a failed call to the shared store."""

    def __init__(self, service: str):
        super().__init__(logging.WARNING)
        self.counter = RATE_LIMIT_STORAGE_ERRORS.labels(service)

    def emit(self, record: logging.LogRecord) -> None:
        self.counter.inc()


def install(app: Flask, settings: GatewaySettings) -> Limiter:
    """One limiter per app (its storage is its own), the sign-in view wrapped in its limits.
    The expensive requests are the limiter's application limit: one allowance per caller
    across all of them, checked with the default limit before any view runs."""
    limiter = Limiter(
        key_func=caller,
        app=app,
        storage_uri=settings.redis_url or "memory://",
        default_limits=[settings.rate_limit],
        application_limits=[settings.expensive_rate_limit],
        application_limits_exempt_when=not_expensive,
        strategy="moving-window",
        key_prefix=f"erp-gateway:{settings.bus_prefix}",
        in_memory_fallback=[settings.rate_limit],
        in_memory_fallback_enabled=True,
        swallow_errors=True,
    )
    limiter_log = logging.getLogger("flask-limiter")
    if not any(isinstance(handler, _StorageErrors) for handler in limiter_log.handlers):
        limiter_log.addHandler(_StorageErrors(settings.service))
    limiter.request_filter(not_counted)
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
