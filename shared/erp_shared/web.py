"""What every HTTP app has: problem+json errors, request ids, health, metrics, token checks.

A service's `create_app()` calls `create_service_app()` with its own flask-smorest
blueprints; nothing here knows a business rule.
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from collections.abc import Callable

import pika
from flask import Flask, Response, current_app, g, jsonify, request
from flask_smorest import Api
from sqlalchemy import text
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException

from erp_shared import context, metrics
from erp_shared.auth import InvalidToken, bearer_token, require_secret, verify_token
from erp_shared.config import Settings
from erp_shared.context import configure_logging
from erp_shared.db import make_engine
from erp_shared.errors import Problem, problem_body

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
BROKER_CHECK_TTL = 2.0


def problem(status: int, detail: str, errors: dict | None = None, title: str | None = None):
    response = jsonify(problem_body(status, detail, errors, title))
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    return response


def _field_errors(messages: dict | None) -> dict | None:
    """webargs nests messages by location ({"json": {...}}); clients want the field map."""
    if not messages:
        return None
    fields: dict = {}
    for location_errors in messages.values():
        if isinstance(location_errors, dict):
            fields.update(location_errors)
    return fields or messages


class ProblemApi(Api):
    """flask-smorest with every HTTP error rendered as problem details."""

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        errors = _field_errors(data.get("messages"))
        detail = data.get("message") or error.description
        if error.code == 422 and errors:
            detail = "The request body or query is not valid."
        response = problem(error.code or 500, detail, errors)
        for name, value in (data.get("headers") or {}).items():
            response.headers[name] = value
        return response


def create_service_app(
    service: str,
    *,
    title: str,
    blueprints=(),
    settings: Settings | None = None,
    public_paths: tuple[str, ...] = (),
    uses_broker: bool = True,
) -> Flask:
    """The app every service and the gateway build on; no work happens at import time."""
    settings = settings or Settings.from_env(service)
    require_secret(settings)
    configure_logging(service, os.environ.get("LOG_LEVEL", "INFO"))
    engine = make_engine(settings.database_url)
    app = Flask(service)
    app.config.update(
        API_TITLE=title,
        API_VERSION="1.0.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
    )
    app.extensions["erp_settings"] = settings
    app.extensions["erp_engine"] = engine
    api = ProblemApi(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    _install_request_id(app)
    _install_metrics(app, service)
    _install_auth(app, settings, public_paths)
    _install_errors(app)
    _install_health(app, engine, amqp_probe(settings) if uses_broker else None)
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


def _install_metrics(app: Flask, service: str) -> None:
    @app.before_request
    def start_timer():
        g.started_at = time.perf_counter()

    @app.after_request
    def record(response: Response):
        started = g.get("started_at")
        if started is not None:
            route = request.url_rule.rule if request.url_rule else "<unmatched>"
            labels = (service, request.method, route, str(response.status_code))
            metrics.HTTP_REQUESTS.labels(*labels).inc()
            metrics.HTTP_LATENCY.labels(*labels).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics")
    def prometheus_metrics():
        body, content_type = metrics.exposition()
        return Response(body, content_type=content_type)


def _install_auth(app: Flask, settings: Settings, public_paths: tuple[str, ...]) -> None:
    @app.before_request
    def authenticate():
        path = request.path
        if not path.startswith("/api/") or path.startswith(public_paths):
            return None
        token = bearer_token(request.headers.get("Authorization"))
        if token is None:
            return problem(401, "A bearer token is required.")
        try:
            g.principal = verify_token(token, settings)
        except InvalidToken as exc:
            return problem(401, f"The bearer token is not valid: {exc}.")
        return None


def _install_errors(app: Flask) -> None:
    @app.errorhandler(Problem)
    def render_problem(error: Problem):
        return problem(error.status, error.detail, error.errors, error.title)

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


def _install_health(app: Flask, engine: Engine, broker_check: Callable[[], bool] | None) -> None:
    @app.get("/health/live")
    def live():
        return {"status": "ok"}

    @app.get("/health/ready")
    def ready():
        checks = {"database": _database_ok(engine)}
        if broker_check is not None:
            checks["broker"] = broker_check()
        healthy = all(checks.values())
        body = {
            "status": "ok" if healthy else "unavailable",
            "checks": {name: "ok" if ok else "down" for name, ok in checks.items()},
        }
        return body, 200 if healthy else 503


def _database_ok(engine: Engine) -> bool:
    try:
        with engine.connect().execution_options(readonly=True) as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        log.warning("database check failed", exc_info=True)
        return False


def current_engine() -> Engine:
    return current_app.extensions["erp_engine"]
