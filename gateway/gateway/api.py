"""The gateway's own endpoints: tokens, users, health, the API document; the rest is routed."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint as FlaskBlueprint
from flask import Response, current_app, g, jsonify, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from erp_shared.access import ROLES
from erp_shared.errors import Unauthenticated
from erp_shared.schemas import Changes, JsonBoolean, PageQuery, page_of
from erp_shared.web import (
    IDEMPOTENCY_KEY_DOC,
    allow_header,
    create_once,
    listed,
    problem,
    reading,
    settings,
    token_refusal,
    unit_of_work,
)
from gateway import identity, openapi, service
from gateway.routing import RESOURCES

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Identity")
audit_blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="Audit trail")
# Routing, health and the document itself stay out of the API document: they are not API.
routes = FlaskBlueprint("gateway", __name__)


class Credentials(Schema):
    username = fields.Str(required=True, validate=validate.Length(min=1, max=80))
    password = fields.Str(required=True, validate=validate.Length(min=1, max=200))


class TokenOut(Schema):
    access_token = fields.Str()
    token_type = fields.Str()
    expires_in = fields.Int(metadata={"description": "Seconds the access token lasts."})
    refresh_token = fields.Str(metadata={"description": "Use once, at /auth/refresh."})
    refresh_expires_in = fields.Int()


class RefreshIn(Schema):
    refresh_token = fields.Str(required=True, validate=validate.Length(min=1, max=200))


class UserIn(Schema):
    username = fields.Str(required=True, validate=validate.Regexp(r"^[A-Za-z0-9._@\-]{1,80}$"))
    password = fields.Str(
        required=True,
        validate=validate.Length(min=identity.MIN_PASSWORD_LENGTH, max=200),
        metadata={"description": "Not containing the username."},
    )
    roles = fields.List(
        fields.Str(validate=validate.OneOf(ROLES)),
        required=True,
        validate=validate.Length(min=1),
    )
    customer_id = fields.Str(validate=validate.Length(min=1, max=36))


class UserPatch(Changes):
    password = fields.Str(validate=validate.Length(min=identity.MIN_PASSWORD_LENGTH, max=200))
    roles = fields.List(fields.Str(validate=validate.OneOf(ROLES)), validate=validate.Length(min=1))
    customer_id = fields.Str(validate=validate.Length(min=1, max=36), allow_none=True)
    active = JsonBoolean()


class UserOut(Schema):
    id = fields.Str()
    username = fields.Str()
    roles = fields.List(fields.Str())
    customer_id = fields.Str(allow_none=True)
    active = fields.Bool()
    created_at = fields.AwareDateTime()


class IntegrationIn(Schema):
    username = fields.Str(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z0-9._@\-]{1,80}$"),
        metadata={"description": "The machine's name, e.g. shop-front; it signs in with it."},
    )


class IntegrationOut(UserOut):
    api_key = fields.Str(
        metadata={
            "description": "Shown in this answer only (erpk_...): POST /auth/token with "
            "{username, password: api_key} for an access token."
        }
    )


def username_tried() -> str | None:
    """The username a sign-in request names, for its rate limit and its audit entry; None
    when the body is not a JSON object naming one, or too large to read."""
    try:
        body = request.get_json(silent=True)
    except HTTPException:
        return None
    name = body.get("username") if isinstance(body, dict) else None
    return str(name)[:80] if name is not None else None


def _upstreams():
    return current_app.extensions["erp_upstreams"]


@blp.route("/token", methods=["POST"])
@blp.arguments(Credentials())
@blp.response(200, TokenOut)
def issue_token(credentials):
    keys = current_app.extensions["erp_signing_keys"]
    with unit_of_work() as uow:
        token = service.sign_in(
            uow,
            settings(),
            keys,
            credentials["username"],
            credentials["password"],
            request.remote_addr or "",
        )
    if token is None:
        raise Unauthenticated(
            "Unknown user or wrong password; after repeated failures your address waits "
            "before it may try this username again."
        )
    return token


@blp.route("/users", methods=["POST"])
@blp.arguments(UserIn())
@blp.response(201, UserOut)
@blp.doc(**IDEMPOTENCY_KEY_DOC)
def add_user(data):
    return create_once(
        data, lambda uow, user: service.add_user(uow, g.principal, user), service.get_user
    )


@blp.route("/integrations", methods=["POST"])
@blp.arguments(IntegrationIn())
@blp.response(201, IntegrationOut)
def add_integration(data):
    """An account for a machine (role integration) and its API key, shown once."""
    with unit_of_work() as uow:
        user, key = service.add_integration(uow, g.principal, data["username"])
    return {**asdict(user), "api_key": key}


@blp.route("/integrations/<user_id>/key", methods=["POST"])
@blp.response(200, IntegrationOut)
def new_integration_key(user_id):
    """A new API key, shown once; the old one and the sessions it opened stop at once."""
    with unit_of_work() as uow:
        user, key = service.new_integration_key(uow, user_id)
    return {**asdict(user), "api_key": key}


@blp.route("/refresh", methods=["POST"])
@blp.arguments(RefreshIn())
@blp.response(200, TokenOut)
def refresh(data):
    """New tokens for a refresh token, which is then used up."""
    keys = current_app.extensions["erp_signing_keys"]
    with unit_of_work() as uow:
        tokens = service.refresh(uow, settings(), keys, data["refresh_token"])
    if tokens is None:
        raise Unauthenticated("The refresh token is not valid; sign in again.")
    return tokens


@blp.route("/logout", methods=["POST"])
@blp.arguments(RefreshIn())
@blp.response(204)
def sign_out(data):
    """The refresh token stops working at once; the access token within 15 minutes."""
    with unit_of_work() as uow:
        service.sign_out(uow, data["refresh_token"])


@blp.route("/users/<user_id>", methods=["PATCH"])
@blp.arguments(UserPatch())
@blp.response(200, UserOut)
def change_user(changes, user_id):
    """Change roles or customer, reset the password (lifting any lock) or disable a user."""
    with unit_of_work() as uow:
        return service.change_user(uow, g.principal, user_id, changes)


@blp.route("/users", methods=["GET"])
@blp.arguments(PageQuery(), location="query")
@blp.response(200, page_of(UserOut))
def list_users(query):
    """Every user, by username (admin only)."""
    with reading() as uow:
        return listed(query, lambda offset, limit: service.list_users(uow, offset, limit))


class AuditQuery(PageQuery):
    actor = fields.Str(validate=validate.Length(min=1, max=80))
    method = fields.Str(validate=validate.OneOf(["POST", "PUT", "PATCH", "DELETE"]))
    # Short enough that even a prefix of 4-byte characters, percent-encoded, fits a request
    # line (gunicorn's limit_request_line); gunicorn's own 414 would not be problem+json.
    path = fields.Str(
        validate=validate.Length(min=1, max=200), metadata={"description": "Path prefix"}
    )
    since = fields.AwareDateTime()
    until = fields.AwareDateTime()


class AuditEntryOut(Schema):
    id = fields.Int()
    at = fields.AwareDateTime()
    actor = fields.Str(allow_none=True)
    roles = fields.Str(allow_none=True)
    request_id = fields.Str()
    method = fields.Str()
    path = fields.Str()
    status = fields.Int()
    target = fields.Str(allow_none=True)
    remote_addr = fields.Str(allow_none=True)


@audit_blp.route("/audit", methods=["GET"])
@audit_blp.arguments(AuditQuery(), location="query")
@audit_blp.response(200, page_of(AuditEntryOut))
def audit_trail(query):
    """Every write made through the gateway, newest first (admin only)."""
    with reading() as uow:
        return listed(query, lambda offset, limit: service.audit_trail(uow, query, offset, limit))


@routes.route("/health", methods=["GET"])
def health():
    """Anyone: whether the gateway answers, at no cost (nothing is asked of the services).
    An admin's token: every service's readiness, which names its database and broker, so
    the world is not told which part is down; counted against the caller's rate limit."""
    if "Authorization" not in request.headers:
        return {"status": "ok"}
    refusal = token_refusal()
    if refusal is not None:
        return refusal
    if "admin" not in (g.principal.get("roles") or []):
        return problem(403, "Only an admin sees each service's health.")
    services = _upstreams().readiness()
    healthy = all(state["status"] == "ok" for state in services.values())
    return {"status": "ok" if healthy else "degraded", "services": services}, (
        200 if healthy else 503
    )


@routes.route("/.well-known/jwks.json", methods=["GET"])
def public_keys():
    """The public keys services verify tokens with (RFC 7517)."""
    response = jsonify(current_app.extensions["erp_signing_keys"].jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@routes.route("/api/v1/openapi.json", methods=["GET"])
def openapi_document():
    own = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    documents = _upstreams().openapi_documents()
    for service_name, document in documents.items():
        current_app.extensions["erp_rules"].learn(service_name, document)
    return openapi.merged_document(own, documents)


@routes.route("/api/v1/docs", methods=["GET"])
def docs():
    return Response(openapi.DOCS_PAGE, mimetype="text/html")


# OPTIONS too: the service knows which methods its resource has (its Allow header).
FORWARDED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "TRACE", "OPTIONS"]


@routes.route("/api/v1/<path:path>", methods=FORWARDED_METHODS, provide_automatic_options=False)
def forward(path):
    """Everything not the gateway's own goes to its service, which answers for its methods;
    another method on one of the gateway's own paths is 405, not a 404 from routing. A CORS
    preflight is the gateway's to answer (flask-cors adds the headers), never forwarded."""
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        return Response(status=204)
    if path.split("/", 1)[0] not in RESOURCES:  # only then can it be one of the gateway's own
        try:
            _own_routes().bind("gateway").match(f"/api/v1/{path}", method=request.method)
        except MethodNotAllowed as wrong:
            answer = problem(405, "The method is not allowed for the requested URL.")
            answer.headers["Allow"] = allow_header(wrong.valid_methods or ())
            return answer
        except NotFound:
            pass
    return _upstreams().forward(path)


def allow_own_methods(response: Response) -> Response:
    """Flask's automatic OPTIONS answer on one of the gateway's own paths would also name the
    methods of the forwarding catch-all; it names the path's own methods instead."""
    if request.method == "OPTIONS" and "Allow" in response.headers:
        own = _own_routes().bind("gateway").allowed_methods(request.path)
        if own:
            response.headers["Allow"] = allow_header(own)
    return response


def _own_routes() -> Map:
    """The gateway's own API routes, without the catch-all that forwards."""
    own = current_app.extensions.get("erp_own_routes")
    if own is None:
        own = Map(
            [
                Rule(rule.rule, methods=rule.methods, endpoint=rule.endpoint)
                for rule in current_app.url_map.iter_rules()
                if rule.endpoint != "gateway.forward" and rule.rule.startswith("/api/v1/")
            ]
        )
        current_app.extensions["erp_own_routes"] = own
    return own
