"""Who is signed in to the console: the API's own tokens, kept in cookies the page's scripts
cannot read.

The access token and the refresh token the API issued at sign-in live in HttpOnly,
SameSite=Strict cookies (Secure behind TLS), each lasting as long as its token. When the access
token has run out, the refresh token buys a new pair from `/auth/refresh`; when that is
refused too, the session is over. Nothing else is stored: no server-side session, no copy of
the user. The roles shown come from the verified token; the API checks them again on every
call, so a page hidden by mistake would still be refused.

Forms are CSRF-safe twice over: the cookies are SameSite=Strict, and every POST must carry
the value of a third HttpOnly cookie (double submit) and come from this origin.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass

from flask import Response, current_app, g, request

from erp_shared import access
from erp_shared.auth import InvalidToken
from gateway.console import client

ACCESS = "erp_access"
# When the session can no longer be renewed (its refresh token's end), in epoch seconds: the
# one cookie scripts read, so a page can warn before it ends (console.js). It holds no secret.
SESSION_ENDS = "erp_session_ends"
REFRESH = "erp_refresh"
CSRF = "erp_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# Renewing a little early keeps a token from expiring between the check and the API call.
RENEW_BEFORE = 30
# Rows on one page of a list.
PER_PAGE = 50


@dataclass(frozen=True)
class User:
    """The signed-in user, calling the API with their own token."""

    username: str
    roles: tuple[str, ...]
    customer_id: str | None
    token: str
    expires_at: int

    def can(self, method: str, path: str) -> bool:
        """Whether the API's role rules, as the gateway learned them from the services, let
        this user call `method path` (under /api/v1)."""
        return current_app.extensions["erp_rules"].allows(self.roles, method, path)

    @property
    def is_customer(self) -> bool:
        return access.is_customer_only(self.roles)

    def fetch(self, path: str, **params) -> dict:
        """A GET the page needs: anything but success is shown as the API's problem."""
        answer = self.send("GET", path, params=params)
        if not answer.ok:
            raise client.ApiError(answer)
        return answer.json

    def page(self, path: str, per_page: int = PER_PAGE, **filters) -> dict:
        """The page of a list the browser asked for (`?page=`), filtered as the form says."""
        return self.fetch(path, **filters, page=request.args.get("page", 1), per_page=per_page)

    def send(self, method: str, path: str, body: dict | None = None, **options) -> client.Answer:
        """Any call; the page decides what a refusal means (422 shows beside the fields)."""
        answer = client.call(method, path, token=self.token, body=body, **options)
        if answer.status == 401:
            raise client.SessionEnded()
        return answer


def current_user() -> User | None:
    """The user the cookies name. An access token that has run out, or will within
    RENEW_BEFORE seconds, is renewed once with the refresh token."""
    token = request.cookies.get(ACCESS)
    user = user_from(token) if token else None
    renew = user is None or user.expires_at - time.time() <= RENEW_BEFORE
    if renew and request.cookies.get(REFRESH):
        answer = client.call(
            "POST", "/auth/refresh", token=None, body={"refresh_token": request.cookies[REFRESH]}
        )
        if answer.ok:
            g.console_tokens = answer.json
            user = user_from(answer.json["access_token"])
        elif user is None:
            g.console_signed_out = True
    return user


def user_from(token: str) -> User | None:
    """The user a token names, if the token is one this gateway signed and still valid."""
    try:
        claims = current_app.extensions["erp_console_verifier"].verify(token)
    except InvalidToken:
        return None
    return User(
        claims["sub"], tuple(claims["roles"]), claims.get("customer_id"), token, claims["exp"]
    )


def sign_in(username: str, password: str) -> client.Answer:
    """Ask the API for tokens; on success they become the session's cookies."""
    answer = client.call(
        "POST", "/auth/token", token=None, body={"username": username, "password": password}
    )
    if answer.ok:
        g.console_tokens = answer.json
    return answer


def sign_out(user: User | None) -> None:
    """The refresh token is revoked at the API (the access token then lapses within its
    short life) and every cookie is dropped."""
    refresh_token = request.cookies.get(REFRESH)
    if user is not None and refresh_token:
        client.call("POST", "/auth/logout", token=user.token, body={"refresh_token": refresh_token})
    g.console_signed_out = True


def csrf_token() -> str:
    """This browser's CSRF value: the cookie's, or a new one set with this answer."""
    if "console_csrf" not in g:
        g.console_csrf = request.cookies.get(CSRF) or secrets.token_urlsafe(32)
    return g.console_csrf


def csrf_ok() -> bool:
    """A POST came from one of this console's own forms: from this origin (as the browser
    says in Sec-Fetch-Site and Origin, where it sends them), carrying the cookie's value in
    its form field or (htmx) header."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin", "null")
    if origin != "null" and origin != request.host_url.rstrip("/"):
        return False
    expected = request.cookies.get(CSRF, "")
    offered = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER, "")
    return bool(expected) and hmac.compare_digest(expected, offered)


def write_cookies(response: Response) -> Response:
    """Set or drop the session's cookies as this request decided."""
    # TLS as this gateway saw it or as a trusted proxy hop reports it (ERP_TRUSTED_PROXY_HOPS):
    # a client's own X-Forwarded-Proto decides nothing.
    secure = request.is_secure

    def put(name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name, value, max_age=max_age, secure=secure, httponly=True, samesite="Strict"
        )

    if g.get("console_signed_out"):
        for name in (ACCESS, REFRESH):
            response.delete_cookie(name, secure=secure, httponly=True, samesite="Strict")
        response.delete_cookie(SESSION_ENDS, secure=secure, samesite="Strict")
    tokens = g.get("console_tokens")
    if tokens:
        put(ACCESS, tokens["access_token"], tokens["expires_in"])
        put(REFRESH, tokens["refresh_token"], tokens["refresh_expires_in"])
        ends = int(time.time()) + tokens["refresh_expires_in"]
        response.set_cookie(
            SESSION_ENDS,
            str(ends),
            max_age=tokens["refresh_expires_in"],
            secure=secure,
            samesite="Strict",
        )
    if "console_csrf" in g and request.cookies.get(CSRF) != g.console_csrf:
        put(CSRF, g.console_csrf, 7 * 24 * 3600)
    return response
