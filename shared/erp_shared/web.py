"""The HTTP edge every app shares: problem+json errors, units of work, idempotent creation,
request ids, health, metrics, token checks.

A service's `create_app()` calls `create_service_app()` with its own flask-smorest
blueprints; its `api.py` views open a unit of work here and pass it to the use cases. This is
the one place where a business refusal becomes an HTTP status. Nothing here knows a business
rule.
"""

from __future__ import annotations

import hmac
import logging
import re
import time
import uuid
from collections.abc import Callable, Sequence
from http import HTTPStatus
from operator import attrgetter
from typing import TypeVar

import pika
from flask import Flask, Response, current_app, g, jsonify, request
from flask_smorest import Api
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import UUIDConverter

from erp_shared import access, context, errors, idempotency, metrics
from erp_shared.auth import InvalidToken, KeysUnavailable, Verifier, bearer_token, verifier_for
from erp_shared.config import ServerSettings, Settings
from erp_shared.context import configure_logging
from erp_shared.db import make_engine
from erp_shared.migrate import schema_behind
from erp_shared.nudge import RelayNudger
from erp_shared.production import refuse_unsafe_start
from erp_shared.uow import UnitOfWork

log = logging.getLogger(__name__)
access_log = logging.getLogger("access")

PROBLEM_JSON = "application/problem+json"
# A client's own request id is kept when it is this plain and short (the audit trail and the
# logs store 64 characters); anything else is replaced by a new one.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")
BROKER_CHECK_TTL = 2.0
MAX_IDEMPOTENCY_KEY = 200
# Seconds a caller is asked to wait while the rules for its path are not known yet.
RULES_RETRY_AFTER = 5
T = TypeVar("T")

# How each kind of business refusal answers over HTTP (CONTRACT: 422 validation, 409 conflict
# with the current state, 404 not found).
REFUSAL_STATUS = {
    errors.Unknown: 404,
    errors.Invalid: 422,
    errors.Conflict: 409,
    errors.NotAllowed: 409,
    errors.Insufficient: 409,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.TooSoon: 429,
}


def problem(status: int, detail: str, field_errors: dict | None = None):
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if field_errors:
        body["errors"] = field_errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    return response


def refusal_status(refusal: errors.Refused) -> int:
    """The status of the nearest kind it is (a service may subclass a kind); 422 otherwise."""
    for kind in type(refusal).__mro__:
        if kind in REFUSAL_STATUS:
            return REFUSAL_STATUS[kind]
    return 422


def unit_of_work() -> UnitOfWork:
    """A writing transaction for this request's use case, committed when the view returns."""
    principal = g.get("principal") or {}
    return UnitOfWork(
        current_engine(),
        settings().service,
        actor=principal.get("sub"),
        announce=current_app.extensions.get("erp_relay_nudger"),
    )


def reading() -> UnitOfWork:
    """A transaction that only reads (it never takes SQLite's write lock)."""
    return UnitOfWork(current_engine(), settings().service, readonly=True)


def listed(query: dict, fetch: Callable[[int, int], tuple[list, int]]) -> dict:
    """One page of a list, fetched by offset and limit from the query's page and per_page."""
    page, per_page = query["page"], query["per_page"]
    items, total = fetch((page - 1) * per_page, per_page)
    return {"items": items, "page": page, "per_page": per_page, "total": total}


def settings() -> Settings:
    return current_app.extensions["erp_settings"]


def own_customer() -> str | None:
    """The caller's customer id when the caller is a customer rather than staff: it may
    reach only that customer's records, and anyone else's answer 404 as if absent. None
    for staff. A customer token that names no customer never gets this far: the token
    check refuses it (_role_refusal), so an empty owner cannot read as "no filter"."""
    principal = g.get("principal") or {}
    if not access.is_customer_only(principal.get("roles") or []):
        return None
    return principal["customer_id"]


def only_own(customer_id: str | None, missing: str) -> None:
    """Refuse, as if it were not there, a customer reaching for another's record."""
    owner = own_customer()
    if owner is not None and customer_id != owner:
        raise errors.Unknown(missing)


def own_only(query: dict) -> dict:
    """A list query narrowed to the caller's own records when the caller is a customer."""
    owner = own_customer()
    return query if owner is None else {**query, "customer_id": owner}


def caller() -> str:
    return g.principal["sub"]


def create_once(
    body: dict,
    create: Callable[[UnitOfWork, dict], T],
    find: Callable[[UnitOfWork, str], T],
    id_of: Callable[[T], str] = attrgetter("id"),
) -> tuple[T, int, dict]:
    """Run a creating use case in one unit of work, once per caller's `Idempotency-Key`.

    A retry with the same key and body gets what the first request created (found again by
    `find`, with `Idempotent-Replayed: true`); the same key with another body is a 409. Keys
    are the caller's own (two clients may both choose "1") and belong to one route. Returns
    what a flask-smorest view returns: the resource, 201 and the headers.
    """
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and len(key) > MAX_IDEMPOTENCY_KEY:
        raise errors.Invalid(
            "The Idempotency-Key header is too long.",
            {"Idempotency-Key": [f"At most {MAX_IDEMPOTENCY_KEY} characters."]},
        )
    with unit_of_work() as uow:
        if key is None:
            return create(uow, body), 201, {}
        scope = f"{request.method} {request.url_rule.rule} by {caller()}"
        try:
            replay = idempotency.first_time(uow.conn, scope, key, body)
        except errors.Conflict:
            raise errors.Conflict(
                "This Idempotency-Key was already used with a different request.",
                {"Idempotency-Key": ["Already used with a different request."]},
            ) from None
        if replay is not None:
            return find(uow, replay.result), 201, {"Idempotent-Replayed": "true"}
        created = create(uow, body)
        idempotency.remember(uow.conn, scope, key, id_of(created))
        return created, 201, {}


IDEMPOTENCY_KEY_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "schema": {"type": "string", "maxLength": MAX_IDEMPOTENCY_KEY},
            "description": "Retrying with the same key and body returns what the first "
            "request created; the same key with another body is refused (409).",
        }
    ]
}


def _field_errors(messages: dict | None) -> dict | None:
    """webargs nests messages by location ({"json": {...}}); clients want the field map."""
    if not messages:
        return None
    fields: dict = {}
    for location_errors in messages.values():
        if isinstance(location_errors, dict):
            fields.update(location_errors)
    return fields or messages


def allow_header(methods) -> str:
    """An Allow header naming the documented methods (HEAD and OPTIONS come with any)."""
    return ", ".join(sorted(set(methods) - {"HEAD", "OPTIONS"}))


class ProblemApi(Api):
    """flask-smorest with every HTTP error rendered as problem details."""

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        field_errors = _field_errors(data.get("messages"))
        detail = data.get("message") or error.description
        if error.code == 422 and field_errors:
            detail = "The request body or query is not valid."
        response = problem(error.code or 500, detail, field_errors)
        for name, value in (data.get("headers") or {}).items():
            response.headers[name] = value
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = allow_header(error.valid_methods)
        return response


class UuidText(UUIDConverter):
    """`<uuid:...>` in a route: only a UUID matches, kept as the canonical text ids are stored
    as. A fixed path beside an id (`/orders/import` beside `/orders/<uuid:order_id>`) then
    answers for its own methods only, and the document says the id is a UUID."""

    def to_python(self, value: str) -> str:
        return str(uuid.UUID(value))


def create_service_app(
    service: str,
    *,
    title: str,
    blueprints=(),
    settings: Settings | None = None,
    rules: Sequence[access.Rule] | Callable[[str], Sequence[access.Rule]] = (),
    public_rules: Sequence[access.Rule] = (),
    public_paths: tuple[str, ...] = (),
    uses_broker: bool = True,
    verifier: Verifier | None = None,
    rate_limits: Callable[[Flask], object] | None = None,
) -> Flask:
    """The app every service and the gateway build on; no work happens at import time. A
    service verifies tokens with the gateway's published keys; the gateway with its own.
    `rules` decide who may call what: a service's own table, which its OpenAPI document
    publishes (erp_shared.access.EXTENSION); or, for the gateway, which learns the services'
    tables, the rules deciding a path (raising access.RulesUnknown until they are known).
    `public_rules` name the API calls that need no token.
    `rate_limits` installs what counts requests (the gateway's limits): it runs once the
    caller is known and before a missing or refused token is answered, so those count too."""
    settings = settings or Settings.from_env(service)
    if not settings.metrics_token and not settings.is_development:
        raise RuntimeError(
            "ERP_METRICS_TOKEN must be set outside development: /metrics names every route, "
            "volume and failure, so only Prometheus may read it"
        )
    refuse_unsafe_start(settings)
    verifier = verifier or verifier_for(settings)
    configure_logging(service, settings.log_level, settings.log_format)
    engine = make_engine(settings.serving_database_url)
    app = Flask(service)
    # Behind proxies (an ingress, a load balancer) the client's address and scheme are taken
    # from exactly as many X-Forwarded-* hops as are configured, never from what a client
    # wrote there itself: per-IP limits, the audit trail, HSTS and Secure cookies rely on them.
    hops = settings.trusted_proxy_hops
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    app.url_map.converters["uuid"] = UuidText
    app.config.update(
        API_TITLE=title,
        API_VERSION="1.0.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        # A larger body is refused with 413 before anything reads it.
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
    )
    if not callable(rules):
        app.config["API_SPEC_OPTIONS"] = {access.EXTENSION: access.published(rules)}
    app.extensions["erp_settings"] = settings
    app.extensions["erp_engine"] = engine
    if settings.relay_nudge:
        app.extensions["erp_relay_nudger"] = RelayNudger(settings.relay_nudge)
    app.extensions["erp_verifier"] = verifier
    api = ProblemApi(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    _install_request_id(app)
    _install_metrics(app, service, ServerSettings.from_env().access_log, settings.metrics_token)
    rules_for = rules if callable(rules) else lambda _path: rules
    _install_auth(app, rules_for, tuple(public_rules), public_paths, rate_limits)
    _install_errors(app)
    _install_security_headers(app)
    _install_health(
        app, engine, amqp_probe(settings) if uses_broker else None, schema_behind(service)
    )
    return app


def _install_request_id(app: Flask) -> None:
    @app.before_request
    def take_request_id():
        offered = request.headers.get("X-Request-ID", "")
        g.request_id = offered if _REQUEST_ID.match(offered) else str(uuid.uuid4())
        g.request_id_token = context.correlation_id.set(g.request_id)

    @app.after_request
    def give_request_id(response: Response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response

    @app.teardown_request
    def forget_request_id(_exc):
        token = g.pop("request_id_token", None)
        if token is not None:
            context.correlation_id.reset(token)


def _install_metrics(app: Flask, service: str, log_access: bool, token: str | None) -> None:
    """Every answer counted and timed; and, with ERP_ACCESS_LOG, logged as one line (method,
    route, status, milliseconds and the request id; never the query, which may hold a name
    or an e-mail). Logged here rather than by gunicorn, whose access line cost a third of
    the gateway's time per request. /metrics answers only the bearer of ERP_METRICS_TOKEN
    (Prometheus' credentials_file) when one is set, as it must be outside development."""

    @app.before_request
    def start_timer():
        g.started_at = time.perf_counter()

    @app.after_request
    def record(response: Response):
        started = g.get("started_at")
        if started is not None:
            route = request.url_rule.rule if request.url_rule else "<unmatched>"
            labels = (service, request.method, route, str(response.status_code))
            took = time.perf_counter() - started
            metrics.HTTP_REQUESTS.labels(*labels).inc()
            metrics.HTTP_LATENCY.labels(*labels).observe(took)
            if log_access:
                ms = round(took * 1000, 1)
                access_log.info(
                    "%s %s %s %sms",
                    request.method,
                    route,
                    response.status_code,
                    ms,
                    extra={
                        "method": request.method,
                        "route": route,
                        "status": response.status_code,
                        "ms": ms,
                    },
                )
        return response

    @app.get("/metrics")
    def prometheus_metrics():
        offered = bearer_token(request.headers.get("Authorization")) or ""
        if token and not hmac.compare_digest(offered.encode(), token.encode()):
            refused = problem(401, "The metrics are for the bearer of ERP_METRICS_TOKEN.")
            refused.headers["WWW-Authenticate"] = "Bearer"
            return refused
        body, content_type = metrics.exposition()
        return Response(body, content_type=content_type)


def token_refusal() -> Response | None:
    """Who calls, from the request's bearer token, kept as g.principal; or the problem to
    answer when there is no token or it is not valid."""
    token = bearer_token(request.headers.get("Authorization"))
    if token is None:
        return problem(401, "A bearer token is required.")
    try:
        g.principal = current_app.extensions["erp_verifier"].verify(token)
    except InvalidToken as exc:
        return problem(401, f"The bearer token is not valid: {exc}.")
    except KeysUnavailable as exc:
        log.warning("cannot verify tokens: %s", exc)
        return problem(503, "Tokens cannot be verified just now; try again shortly.")
    return None


def _install_auth(
    app: Flask,
    rules_for: Callable[[str], Sequence[access.Rule]],
    public_rules: tuple[access.Rule, ...],
    public_paths: tuple[str, ...],
    rate_limits: Callable[[Flask], object] | None,
) -> None:
    """Two hooks: the first tells who calls and decides on the token and the role rules,
    the second answers a refusal; rate limits count between them, so a caller cannot guess
    tokens or probe routes faster than it may call them."""

    @app.before_request
    def authenticate():
        path = request.path
        # A CORS preflight carries no token by design and does nothing; a method the route
        # does not have is 405 whoever asks (Flask raises it once the hooks have run).
        if request.method == "OPTIONS" or not path.startswith("/api/"):
            return
        if isinstance(request.routing_exception, MethodNotAllowed):
            return
        relative = path.removeprefix("/api/v1")
        if path.startswith(public_paths) or access.covers(public_rules, request.method, relative):
            return
        refusal = token_refusal()
        if refusal is None:
            refusal = _role_refusal(rules_for, request.method, relative)
        g.auth_refusal = refusal

    if rate_limits is not None:
        rate_limits(app)

    @app.before_request
    def refuse():
        return g.pop("auth_refusal", None)


def _role_refusal(
    rules_for: Callable[[str], Sequence[access.Rule]], method: str, path: str
) -> Response | None:
    """The problem to answer when the caller's roles may not call `method path`. Admin may
    call anything, so needs no rules; anyone else waits while the rules are not known yet
    (503 with Retry-After: refused safely, and told it is not for good)."""
    roles = g.principal.get("roles") or []
    if access.is_customer_only(roles) and not g.principal.get("customer_id"):
        # Such a token has no records of its own; not even the catalogue is its.
        return problem(403, "This customer token names no customer.")
    if "admin" in roles:
        return None
    try:
        rules = rules_for(path)
    except access.RulesUnknown as unknown:
        answer = problem(503, f"Who may call this is not known yet: {unknown}; try again shortly.")
        answer.headers["Retry-After"] = str(RULES_RETRY_AFTER)
        return answer
    if not access.allowed(rules, roles, method, path):
        return problem(403, f"The role(s) {', '.join(roles) or 'none'} may not do this.")
    return None


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


def _install_security_headers(app: Flask) -> None:
    """What a browser should be told about every answer: never sniff types, never frame,
    never pass the URL on; HSTS once the request came over TLS (directly, or as a trusted
    proxy hop says: a client's own X-Forwarded-Proto is not believed). API answers hold
    personal data and prices, so nothing may cache them."""

    @app.after_request
    def secure(response: Response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _install_errors(app: Flask) -> None:
    @app.errorhandler(errors.Refused)
    def render_refusal(refusal: errors.Refused):
        answer = problem(refusal_status(refusal), refusal.detail, refusal.errors)
        if isinstance(refusal, errors.TooSoon):
            answer.headers["Retry-After"] = str(refusal.retry_after)
        return answer

    @app.errorhandler(DBAPIError)
    def render_lost_database(error: DBAPIError):
        # A connection the database dropped (restarted, failed over, terminated by an
        # operator): nothing was committed, so the client may simply try again.
        if not error.connection_invalidated:
            return render_unexpected(error)
        log.warning("database connection lost: %s", type(error.orig).__name__)
        answer = problem(503, "The database connection was lost; try again.")
        answer.headers["Retry-After"] = "1"
        return answer

    @app.errorhandler(RecursionError)
    def render_deep_json(error: RecursionError):
        # A body nested past Python's recursion limit makes json.loads raise RecursionError,
        # not the ValueError Flask's get_json and webargs answer 400 for: the client's
        # malformed body, whichever of them read it. Any other recursion is our fault.
        if "decoding a JSON" not in str(error):
            return render_unexpected(error)
        return problem(400, "The JSON body is nested too deeply to read.")

    @app.errorhandler(Exception)
    def render_unexpected(error: Exception):
        # HTTPExceptions never get here: Flask picks ProblemApi's more specific handler.
        log.exception("unhandled error")
        return problem(500, "The server could not complete the request.")


def amqp_probe(settings: Settings) -> Callable[[], bool]:
    """Opens a connection at most every BROKER_CHECK_TTL seconds per process."""
    state = {"at": 0.0, "ok": False}

    def check() -> bool:
        now = time.monotonic()
        if now - state["at"] > BROKER_CHECK_TTL:
            try:
                params = pika.URLParameters(settings.amqp_url)
                params.socket_timeout = 2
                params.connection_attempts = 1
                pika.BlockingConnection(params).close()
                state["ok"] = True
            except Exception:
                state["ok"] = False
            state["at"] = now
        return state["ok"]

    return check


def _install_health(
    app: Flask,
    engine: Engine,
    broker_check: Callable[[], bool] | None,
    schema_behind: Callable[[Connection], bool],
) -> None:
    @app.get("/health/live")
    def live():
        return {"status": "ok"}

    @app.get("/health/ready")
    def ready():
        """Ready while the database answers at the schema this code was written for (a new
        release waits for its migration Job): that is what a request needs. Without the broker
        the app still reads, and writes its events to the outbox for the relay to send later,
        so a broker outage reports `degraded` (200) instead of taking every replica out of its
        Service, which would turn a delay into an outage."""
        database, schema = _database_state(engine, schema_behind)
        checks = {"database": database, "schema": schema}
        if broker_check is not None:
            checks["broker"] = broker_check()
        if not (checks["database"] and checks["schema"]):
            status, code = "unavailable", 503
        else:
            status, code = ("ok" if all(checks.values()) else "degraded"), 200
        body = {
            "status": status,
            "checks": {name: "ok" if ok else "down" for name, ok in checks.items()},
        }
        return body, code


def _database_state(
    engine: Engine, schema_behind: Callable[[Connection], bool]
) -> tuple[bool, bool]:
    """Whether the database answers, and whether its schema is the one this code expects:
    both asked on one connection."""
    try:
        with engine.connect().execution_options(readonly=True) as conn:
            conn.execute(text("SELECT 1"))
            try:
                return True, not schema_behind(conn)
            except Exception:
                log.warning("schema check failed", exc_info=True)
                return True, False
    except Exception:
        log.warning("database check failed", exc_info=True)
        return False, False


def current_engine() -> Engine:
    return current_app.extensions["erp_engine"]
