"""The console's blueprint: who may see a page, and what every page's answer carries.

Every page needs a signed-in user except signing in and the static files. A POST must pass
the CSRF check. Answers get a Content-Security-Policy that lets a page load and send nothing
anywhere but this origin (no inline script, no CDN), and pages are never cached, since they
hold personal data and prices.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from erp_shared.web import problem
from gateway.console import i18n, live, nav, session
from gateway.console.client import ApiError, SessionEnded

console = Blueprint(
    "console",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)

log = logging.getLogger(__name__)
OPEN_ENDPOINTS = {"console.sign_in", "console.static", "console.choose_language"}
# Addresses that are never console pages: a client of the API, a probe or Prometheus asking
# for one that does not exist gets the API's problem document, not a page.
NOT_PAGES = ("api/", "health/", "metrics")
EVERY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
    "frame-ancestors 'none'"
)
STATIC = Path(__file__).parent / "static"
STATIC_MAX_AGE = 7 * 24 * 3600


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def safe_next(target: str | None) -> str | None:
    """A place to return to after signing in, if it is a path on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def to_sign_in() -> Response:
    """Send the browser to the sign-in page, coming back here afterwards; an htmx request
    is told to navigate the whole page rather than swap the sign-in form into a fragment.
    A form sent after the session ended comes back to the page it was filled on, saying so
    (console.js keeps what was typed and puts it back there)."""
    if is_htmx():
        here = urlsplit(request.headers.get("HX-Current-URL", "/"))
        back = here.path + (f"?{here.query}" if here.query else "")
        answer = make_response("", 200)
        answer.headers["HX-Redirect"] = url_for("console.sign_in", next=back)
        return answer
    if request.method == "GET":
        return redirect(url_for("console.sign_in", next=request.full_path.rstrip("?")))
    came_from = urlsplit(request.referrer or "")
    back = safe_next(came_from.path + (f"?{came_from.query}" if came_from.query else ""))
    return redirect(url_for("console.sign_in", next=back, ended=1))


@console.before_request
def admit():
    if request.endpoint == "console.static":
        return None
    if request.endpoint == "console.missing" and not _browsing():
        abort(404)
    if request.method == "POST" and not session.csrf_ok():
        return problem_page(
            403, _("This form has expired or came from another site. Reload the page.")
        )
    g.user = session.current_user()
    if g.user is None and request.endpoint not in OPEN_ENDPOINTS:
        return to_sign_in()
    return None


@console.after_request
def finish(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    # The page's address may go to this origin (browsers then send Origin on a form POST,
    # which the CSRF check reads), never to another.
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint == "console.static":
        # Asset URLs carry a digest of the file (asset_url), so a new file is a new URL.
        response.headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}, immutable"
        return response
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Cookie, HX-Request"
    return session.write_cookies(response)


def needs(method: str, path: str):
    """A page made for a call the user's role may not make is refused before it is drawn,
    as the API would refuse the call (a form nobody may send is not worth filling in)."""

    def decorate(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            if not g.user.can(method, path):
                roles = ", ".join(g.user.roles) or _("none")
                return problem_page(403, _("The role(s) %(roles)s may not do this.", roles=roles))
            return view(*args, **kwargs)

        return guarded

    return decorate


@console.errorhandler(SessionEnded)
def session_ended(_error):
    g.console_signed_out = True
    return to_sign_in()


@console.errorhandler(ApiError)
def api_refused(error: ApiError):
    return problem_page(error.answer.status, error.answer.detail)


def _browsing() -> bool:
    """A person's browser asking for a page, not a program asking the API."""
    wanted = (request.view_args or {}).get("missing", "")
    return (
        request.method == "GET"
        and not wanted.startswith(NOT_PAGES)
        and request.accept_mimetypes.accept_html
    )


@console.route("/<path:missing>", methods=EVERY_METHOD)
def missing(missing: str):
    """A page that does not exist, said inside the console with its menu, not as JSON."""
    return problem_page(
        404,
        _(
            "There is no page at /%(path)s. It may have moved, or the link is wrong.",
            path=missing,
        ),
    )


@console.errorhandler(Exception)
def broke(error: Exception):
    """A page that failed: said inside the console, with the request id support can look up;
    an HTTP error (a 404 a page raised) is answered as it says, as the API's problem document
    where a program asked an address that is not a page."""
    if isinstance(error, HTTPException):
        if request.endpoint == "console.missing" and not _browsing():
            return problem(error.code or 404, error.description)
        return problem_page(error.code or 500, error.description)
    log.exception("console page failed")
    request_id = g.get("request_id", "")
    return problem_page(
        500,
        _(
            "The page could not be shown. If it happens again, give support this request id: "
            "%(request_id)s.",
            request_id=request_id,
        ),
        _("Something went wrong"),
    )


def problem_page(status: int, detail: str, title: str | None = None):
    """What the API refused, said plainly; an htmx request gets it in place of its target."""
    titles = {
        403: _("Not for your role"),
        404: _("Not found"),
        409: _("Not possible now"),
        429: _("Too many requests"),
    }
    title = title or titles.get(
        status, _("Something went wrong") if status >= 500 else _("Refused")
    )
    template = "console/_problem.html" if is_htmx() else "console/problem.html"
    return render_template(template, status=status, title=title, detail=detail), status


console.add_app_template_filter(i18n.money, "money")
console.add_app_template_filter(i18n.when, "when")


@functools.cache
def _digest(filename: str) -> str:
    return hashlib.sha256((STATIC / filename).read_bytes()).hexdigest()[:12]


@console.context_processor
def page_context() -> dict:
    user = g.get("user")

    def asset_url(filename: str) -> str:
        return url_for("console.static", filename=filename, v=_digest(filename))

    def page_url(page: int) -> str:
        """This list's URL with its filters, at another page."""
        args = {**request.args.to_dict(), "page": page}
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    return {
        "user": user,
        "pages": nav.pages_for(user) if user else [],
        "language": i18n.chosen_language(),
        "languages": i18n.LANGUAGES,
        "csrf_token": session.csrf_token,
        "csrf_field": session.CSRF_FIELD,
        "asset_url": asset_url,
        "feed_url": live.feed_url,
        "page_url": page_url,
    }
