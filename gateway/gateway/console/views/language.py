"""Choosing the console's language in its header: kept in a cookie for a year, on the page
the reader was on (signed in or not, so the sign-in page can be read first)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, request, url_for

from gateway.console import i18n
from gateway.console.blueprint import console, safe_next


@console.route("/language", methods=["POST"])
def choose_language():
    chosen = request.form.get("language", "")
    came_from = urlsplit(request.referrer or "")
    back = safe_next(came_from.path + (f"?{came_from.query}" if came_from.query else ""))
    answer = redirect(back or url_for("console.home"))
    if chosen in i18n.LANGUAGES:
        answer.set_cookie(
            i18n.COOKIE,
            chosen,
            max_age=i18n.COOKIE_SECONDS,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return answer
