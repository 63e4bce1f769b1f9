"""Which service answers which resource, and the forwarding itself.

The gateway forwards the caller's token (services verify it themselves and read the caller
from it) and the request id, over pooled keep-alive connections with bounded timeouts.
"""

from __future__ import annotations

import contextlib
import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import requests
from circuitbreaker import CircuitBreaker, CircuitBreakerError
from flask import Response, g, request, stream_with_context
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from erp_shared.config import ServerSettings
from erp_shared.live_feeds import FeedRefused, FeedSlots
from erp_shared.web import problem

RESOURCES = {
    "customers": "crm",
    "campaigns": "crm",
    "tickets": "crm",
    "segments": "crm",
    "orders": "orders",
    "invoices": "orders",
    "returns": "orders",
    "products": "inventory",
    "receipts": "inventory",
    "adjustments": "inventory",
    "stock": "inventory",
    "reorder-alerts": "inventory",
    "inventory": "inventory",
    "movements": "inventory",
    "warehouses": "inventory",
    "transfers": "inventory",
    "analytics": "analytics",
}

# Paths answered with a live feed, which holds a gateway thread for as long as it lasts: each
# takes one of the process's feed slots first (erp_shared.live_feeds).
LIVE_FEEDS = re.compile(r"orders/[^/]+/events")
FORWARDED_REQUEST_HEADERS = ("Content-Type", "Accept", "Authorization", "Idempotency-Key")
FORWARDED_RESPONSE_HEADERS = (
    "Allow",
    "Content-Type",
    "Location",
    "Idempotent-Replayed",
    "Retry-After",
    "Content-Disposition",
)
CONNECT_TIMEOUT = 2.0
# After this many failed calls in a row (no connection, no answer in time) a service's
# routes answer 503 at once for BREAKER_RESET seconds instead of each waiting out the
# timeout; then calls are let through again to see whether it is back. (circuitbreaker, not
# pybreaker: pybreaker holds one lock across the guarded call, so a gateway process would
# forward one request at a time to each service.)
BREAKER_FAILURES = 5
BREAKER_RESET = 15.0
# A service closes a keep-alive connection after a few idle seconds; a request the gateway
# sends on it just then fails though nothing reached the service. Requests that are safe to
# repeat (GET, PUT, DELETE, ...) get one more try on a fresh connection; a POST never does,
# since it may have arrived.
STALE_CONNECTION_RETRY = Retry(
    total=1, connect=1, read=1, redirect=0, status=0, other=0, raise_on_status=False
)


def _feed_user() -> str:
    principal = g.get("principal") or {}
    return principal.get("sub") or f"ip:{request.remote_addr}"


def _relay(upstream):
    try:
        yield from upstream.iter_content(chunk_size=None)
    finally:
        upstream.close()


class Upstreams:
    """One pooled HTTP session per gateway process, built after gunicorn forks."""

    def __init__(self, urls: dict[str, str], read_timeout: float):
        self.urls = urls
        self.read_timeout = read_timeout
        self.session = requests.Session()
        # Services are reached directly: no proxy from the environment, and no per-request
        # lookup of one (a tenth of a forwarded read's CPU).
        self.session.trust_env = False
        self.calls = {
            service: CircuitBreaker(
                failure_threshold=BREAKER_FAILURES,
                recovery_timeout=BREAKER_RESET,
                expected_exception=requests.RequestException,
                name=f"gateway->{service}",
            ).decorate(self.session.request)
            for service in urls
        }
        adapter = HTTPAdapter(
            pool_connections=len(urls), pool_maxsize=64, max_retries=STALE_CONNECTION_RETRY
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # Sized for every request thread of the process probing all services at once.
        self._health_pool = ThreadPoolExecutor(
            max_workers=max(1, len(urls)) * ServerSettings.from_env().threads
        )
        self.feed_slots = FeedSlots.configured()

    def forward(self, path: str) -> Response:
        segments = path.split("/")
        service = RESOURCES.get(segments[0])
        # Dot segments would let a client climb out of /api/v1 on the service behind.
        if service is None or any(segment in (".", "..") for segment in segments):
            return problem(404, f"No resource /api/v1/{path}.")
        with contextlib.ExitStack() as held:
            if request.method == "GET" and LIVE_FEEDS.fullmatch(path):
                try:
                    held.callback(self.feed_slots.take(_feed_user()).release)
                except FeedRefused as refused:
                    return refused.answer()
            answer = self._send(service, path)
            if answer.is_streamed:
                # The slot is given back when gunicorn closes the answer: the feed ended, or
                # its client left (seen when a write fails).
                answer.call_on_close(held.pop_all().close)
            return answer

    def _send(self, service: str, path: str) -> Response:
        headers = {
            name: request.headers[name]
            for name in FORWARDED_REQUEST_HEADERS
            if name in request.headers
        }
        headers["X-Request-ID"] = g.request_id
        headers["X-Forwarded-For"] = request.remote_addr or ""
        try:
            upstream = self.calls[service](
                request.method,
                # Segments go on as they came: a decoded "?" or "#" must stay in the path.
                f"{self.urls[service]}/api/v1/{quote(path, safe='/')}",
                params=request.args.to_dict(flat=False),
                data=request.get_data(),
                headers=headers,
                timeout=(CONNECT_TIMEOUT, self.read_timeout),
                allow_redirects=False,
                stream=True,
            )
        except CircuitBreakerError:
            refused = problem(
                503,
                f"The {service} service kept failing; the gateway waits "
                f"{BREAKER_RESET:.0f} s before trying it again.",
            )
            refused.headers["Retry-After"] = str(int(BREAKER_RESET))
            return refused
        except requests.Timeout:
            return problem(504, f"The {service} service did not answer in time.")
        except requests.ConnectionError:
            return problem(503, f"The {service} service is unavailable.")
        if upstream.headers.get("Content-Type", "").startswith("text/event-stream"):
            # A live feed is passed on as it comes, not after it ends.
            response = Response(stream_with_context(_relay(upstream)), status=upstream.status_code)
            response.headers["Cache-Control"] = "no-cache"
        else:
            response = Response(upstream.content, status=upstream.status_code)
        for name in FORWARDED_RESPONSE_HEADERS:
            if name in upstream.headers:
                response.headers[name] = upstream.headers[name]
        return response

    def readiness(self) -> dict[str, dict]:
        def probe(service: str) -> tuple[str, dict]:
            try:
                answer = self.session.get(
                    f"{self.urls[service]}/health/ready",
                    timeout=(CONNECT_TIMEOUT, 3.0),
                    headers={"X-Request-ID": g_request_id},
                )
                body = answer.json()
                return service, {
                    "status": body.get("status", "down"),
                    "checks": body.get("checks", {}),
                }
            except (requests.RequestException, ValueError):
                return service, {"status": "down"}

        g_request_id = g.request_id
        return dict(self._health_pool.map(probe, self.urls))

    def document(self, service: str) -> dict | None:
        """The service's OpenAPI document, or None when it does not answer with one."""
        if service not in self.urls:
            return None
        try:
            document = self.session.get(f"{self.urls[service]}/openapi.json", timeout=3).json()
        except (requests.RequestException, ValueError):
            return None
        return document if isinstance(document, dict) else None

    def openapi_documents(self) -> dict[str, dict]:
        documents = {service: self.document(service) for service in self.urls}
        return {service: document for service, document in documents.items() if document}


def owner(path: str) -> str | None:
    """The service a path under /api/v1 goes to; None for the gateway's own paths."""
    return RESOURCES.get(path.lstrip("/").split("/", 1)[0])
