"""Signing in, who may add users, and how requests reach the services."""

from __future__ import annotations

import threading
from dataclasses import replace

import jwt
import pytest
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from erp_testing import bearer, service_app, settings_for
from gateway.app import create_app
from gateway.routing import BREAKER_FAILURES, BREAKER_RESET
from gateway.settings import service_urls

pytestmark = pytest.mark.integration

ADMIN_PASSWORD = "correct horse battery staple"


@pytest.fixture
def upstream():
    """A stand-in inventory service that echoes what the gateway sent it."""
    stub = Flask("stub")

    @stub.route("/api/v1/<path:path>", methods=["GET", "POST"])
    def echo(path):
        return jsonify(
            path=path,
            args=request.args.to_dict(flat=False),
            body=request.get_json(silent=True),
            headers={
                k: request.headers.get(k)
                for k in (
                    "X-Request-ID",
                    "Authorization",
                    "X-User",
                    "X-User-Roles",
                    "Idempotency-Key",
                )
            },
        ), 201

    server = make_server("127.0.0.1", 0, stub, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def client(databases, upstream):
    urls = {**service_urls(), "inventory": upstream, "orders": "http://127.0.0.1:1"}
    app = service_app(
        "gateway", databases.new("sqlite"), admin_password=ADMIN_PASSWORD, service_urls=urls
    )
    return app.test_client()


def sign_in(client, username="admin", password=ADMIN_PASSWORD):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def test_the_admin_from_the_environment_can_sign_in(client):
    answer = sign_in(client)
    assert answer.status_code == 200
    assert answer.json["token_type"] == "Bearer"
    token = answer.json["access_token"]
    keys = jwt.PyJWKSet.from_dict(client.get("/.well-known/jwks.json").json)
    kid = jwt.get_unverified_header(token)["kid"]
    public = next(key for key in keys.keys if key.key_id == kid)
    claims = jwt.decode(token, public.key, algorithms=["EdDSA"], issuer="erp-gateway")
    assert claims["sub"] == "admin" and claims["roles"] == ["admin"]
    assert claims["exp"] - claims["iat"] == answer.json["expires_in"]


@pytest.mark.parametrize("username,password", [("admin", "wrong"), ("nobody", ADMIN_PASSWORD)])
def test_bad_credentials_are_401(client, username, password):
    answer = sign_in(client, username, password)
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"


def test_only_an_admin_adds_users_and_a_new_user_can_sign_in(client):
    user = {"username": "sam", "password": "s3cret-enough", "roles": ["sales"]}
    assert client.post("/api/v1/auth/users", json=user).status_code == 401
    assert (
        client.post("/api/v1/auth/users", json=user, headers=bearer(roles=["sales"])).status_code
        == 403
    )
    admin = {"Authorization": f"Bearer {sign_in(client).json['access_token']}"}
    assert client.post("/api/v1/auth/users", json=user, headers=admin).status_code == 201
    assert client.post("/api/v1/auth/users", json=user, headers=admin).status_code == 409
    assert sign_in(client, "sam", "s3cret-enough").status_code == 200


def test_a_request_is_forwarded_with_its_id_and_token(client):
    headers = {**bearer(subject="sam"), "X-Request-ID": "req-7", "Idempotency-Key": "k"}
    answer = client.post("/api/v1/products?x=1", json={"sku": "A"}, headers=headers)
    assert answer.status_code == 201
    assert answer.headers["X-Request-ID"] == "req-7"
    echoed = answer.json
    assert echoed["path"] == "products" and echoed["args"] == {"x": ["1"]}
    assert echoed["body"] == {"sku": "A"}
    assert echoed["headers"] == {
        "X-Request-ID": "req-7",
        "Authorization": headers["Authorization"],
        "X-User": None,
        "X-User-Roles": None,
        "Idempotency-Key": "k",
    }


def test_a_request_without_a_token_never_reaches_a_service(client):
    assert client.get("/api/v1/products/A").status_code == 401


def test_a_service_that_is_down_answers_503_and_health_says_so(client):
    answer = client.get("/api/v1/orders/1", headers=bearer())
    assert answer.status_code == 503
    assert answer.mimetype == "application/problem+json"
    health = client.get("/health", headers=bearer())
    assert health.status_code == 503
    assert health.json["services"]["orders"]["status"] == "down"


def test_health_tells_anyone_only_that_the_gateway_answers_and_an_admin_the_detail(client):
    public = client.get("/health")
    assert public.status_code == 200 and public.json == {"status": "ok"}
    assert client.get("/health", headers=bearer(roles=["sales"])).status_code == 403
    forged = client.get("/health", headers={"Authorization": "Bearer not-a-token"})
    assert forged.status_code == 401 and forged.mimetype == "application/problem+json"
    detail = client.get("/health", headers=bearer())
    assert set(detail.json["services"]) == {"crm", "orders", "inventory", "analytics"}


def test_a_service_that_keeps_failing_is_not_tried_for_a_while(client):
    for _ in range(BREAKER_FAILURES):
        tried = client.get("/api/v1/orders/1", headers=bearer())
        assert tried.status_code == 503 and "Retry-After" not in tried.headers
    spared = client.get("/api/v1/orders/1", headers=bearer())
    assert spared.status_code == 503
    assert spared.headers["Retry-After"] == str(int(BREAKER_RESET))
    assert client.get("/api/v1/products/A", headers=bearer()).status_code == 201  # others work


def test_an_unknown_resource_is_404(client):
    assert client.get("/api/v1/nothing-here", headers=bearer()).status_code == 404


@pytest.mark.parametrize(
    "path", ["/api/v1/products/../../../metrics", "/api/v1/products/%2E%2E/%2E%2E/%2E%2E/metrics"]
)
def test_a_path_cannot_climb_out_of_the_api(client, path):
    assert client.get(path, headers=bearer()).status_code == 404


def test_identity_headers_sent_by_a_client_are_not_passed_on(client):
    """Services read the caller from the token alone."""
    headers = {**bearer(subject="sam"), "X-User": "admin", "X-User-Roles": "admin"}
    echoed = client.get("/api/v1/products/A", headers=headers).json
    assert echoed["headers"]["X-User"] is None and echoed["headers"]["X-User-Roles"] is None


def test_outside_development_the_gateway_needs_an_admin_password(databases):
    settings = replace(settings_for("gateway", databases.new("sqlite")), environment="production")
    with pytest.raises(RuntimeError, match="ERP_ADMIN_PASSWORD"):
        create_app(settings)
