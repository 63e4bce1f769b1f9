"""The gateway HTTP app (gunicorn: `gateway.app:create_app()`)."""

from __future__ import annotations

from flask_cors import CORS

from erp_shared.web import create_service_app
from gateway import audit, console, keys, limits, openapi, routing, rules, service
from gateway.api import allow_own_methods, audit_blp, blp, routes
from gateway.settings import GatewaySettings, settings_from_env
from gateway.webhooks.api import blp as webhooks_blp

# The API document and its viewer; which API calls need no token is gateway.rules.PUBLIC.
PUBLIC_PATHS = ("/api/v1/openapi.json", "/api/v1/docs")


def create_app(settings: GatewaySettings | None = None):
    settings = settings or settings_from_env()
    admin_password = settings.admin_password
    if not admin_password and not settings.is_development:
        raise RuntimeError("ERP_ADMIN_PASSWORD must be set outside development mode")
    signing = keys.signing_keys(settings)
    upstreams = routing.Upstreams(settings.service_urls, settings.upstream_timeout)
    learned = rules.LearnedRules(upstreams.document, routing.owner, settings.rules_ttl)
    app = create_service_app(
        "gateway",
        title="Gateway",
        blueprints=[blp, audit_blp, webhooks_blp],
        settings=settings,
        rules=learned.rules_for,
        public_rules=rules.PUBLIC,
        public_paths=PUBLIC_PATHS,
        uses_broker=False,
        verifier=keys.verifier(signing, settings),
        rate_limits=lambda app: limits.install(app, settings),
    )
    app.extensions["erp_signing_keys"] = signing
    app.register_blueprint(routes)
    app.register_blueprint(openapi.docs_assets)
    console.install(app, settings)
    app.after_request(allow_own_methods)
    audit.install(app)
    if settings.cors_origins:
        CORS(
            app,
            resources={r"/api/*": {"origins": list(settings.cors_origins)}},
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["Location", "Retry-After", "X-Request-ID", "Idempotent-Replayed"],
            max_age=600,
        )
    app.extensions["erp_upstreams"] = upstreams
    app.extensions["erp_rules"] = learned
    if admin_password:
        service.ensure_admin(app.extensions["erp_engine"], admin_password)
    return app
