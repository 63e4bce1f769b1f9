"""An order page follows its order from the API's feed (Server-Sent Events) rather than by
asking every second.

A browser's EventSource cannot send a bearer token, so the order feed, and only it (a GET
that changes nothing and reads what the same user may read anyway), takes the console's
access cookie when no Authorization header came. The cookie is HttpOnly and SameSite=Strict,
so no other site's page can make a browser send it. Where the feed cannot be held (an old
token, no slot free), the page goes on asking as before (console.js).
"""

from __future__ import annotations

import re

from flask import Flask, request

from gateway.console import session

ORDER_FEED = re.compile(r"/api/v1/orders/[^/]+/events")


def feed_url(order_id: str) -> str:
    return f"/api/v1/orders/{order_id}/events"


def _bearer_from_cookie() -> None:
    if request.method != "GET" or "Authorization" in request.headers:
        return
    token = request.cookies.get(session.ACCESS)
    if token and ORDER_FEED.fullmatch(request.path):
        request.environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"


def install(app: Flask) -> None:
    """First of the app's hooks: the token must be there before anything reads it."""
    app.before_request_funcs.setdefault(None, []).insert(0, _bearer_from_cookie)
