"""The console's only way to data: this gateway's own `/api/v1`, called in process.

A page's call is handed to the gateway's WSGI app as a request of its own, carrying the
signed-in user's bearer token, the browser's address and the page's request id. So it meets
exactly what any client's call meets (token check, role rules, rate limit, audit trail,
metrics, forwarding to the service), without a loopback HTTP hop and without tying up a
second gunicorn thread that a busy gateway may not have free while the page's thread waits.
The console never reads a database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask import current_app, g, request
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder, run_wsgi_app

API = "/api/v1"
# What the browser's request says about where it came from, passed on so the API sees the
# same client (rate limits by address, the audit trail's remote_addr, TLS behind a proxy).
PASSED_ON = ("X-Forwarded-For", "X-Forwarded-Proto", "User-Agent")


class SessionEnded(Exception):
    """The API no longer accepts the user's token: the page sends them to sign in."""


class ApiError(Exception):
    """An answer a page cannot show as a result (403, 404, 5xx): it shows the problem."""

    def __init__(self, answer: Answer):
        super().__init__(f"{answer.status}: {answer.detail}")
        self.answer = answer


@dataclass
class Answer:
    status: int
    headers: Headers
    body: bytes = field(repr=False)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def json(self):
        return json.loads(self.body) if self.body else None

    @property
    def detail(self) -> str:
        """The problem's detail (problem+json), or the status when there is none."""
        body = self._problem()
        return str(body.get("detail") or body.get("title") or f"HTTP {self.status}")

    @property
    def errors(self) -> dict[str, str]:
        """The problem's field errors, flattened to dotted names (`lines.0.quantity`) as the
        console's form fields are named, each with its first message."""
        flat: dict[str, str] = {}

        def walk(prefix: str, value) -> None:
            if isinstance(value, dict):
                for key, inner in value.items():
                    walk(f"{prefix}.{key}" if prefix else str(key), inner)
            elif isinstance(value, list) and value and isinstance(value[0], str):
                flat[prefix] = value[0]
            elif value:
                flat[prefix] = str(value)

        walk("", self._problem().get("errors") or {})
        return flat

    def _problem(self) -> dict:
        try:
            body = self.json
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}


def call(
    method: str,
    path: str,
    *,
    token: str | None,
    body: dict | None = None,
    params: dict | None = None,
    accept: str = "application/json",
    headers: dict | None = None,
    data: bytes | None = None,
    content_type: str | None = None,
) -> Answer:
    """One API call through the gateway's whole request pipeline; `path` is under /api/v1.
    The body is `body` as JSON, or `data` as `content_type` (a CSV file, say)."""
    headers = {**(headers or {}), "Accept": accept, "X-Request-ID": g.get("request_id", "")}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    for name in PASSED_ON:
        if name in request.headers:
            headers[name] = request.headers[name]
    query = {key: value for key, value in (params or {}).items() if value not in (None, "")}
    environ = EnvironBuilder(
        path=API + path,
        method=method,
        json=body,
        data=data,
        content_type=content_type,
        query_string=query,
        headers=headers,
        base_url=request.host_url,
        environ_base={"REMOTE_ADDR": request.remote_addr or ""},
    ).get_environ()
    app = current_app._get_current_object()
    # A fresh application context: the API request gets its own `g` (principal, request id,
    # timers) instead of sharing, and overwriting, the page's.
    with app.app_context():
        chunks, status, response_headers = run_wsgi_app(app.wsgi_app, environ, buffered=True)
        try:
            content = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
    return Answer(int(status.split(" ", 1)[0]), Headers(response_headers), content)
