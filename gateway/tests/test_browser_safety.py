"""What browsers and proxies are told: security headers on every answer, CORS only for the
allowed origins, and bodies over the limit refused with 413 before anything reads them."""

from __future__ import annotations

import pytest

from erp_testing import bearer, service_app

pytestmark = pytest.mark.integration

CONSOLE = "https://console.example.com"


@pytest.fixture
def client(databases):
    app = service_app(
        "gateway",
        databases.new("sqlite"),
        service_urls={},
        cors_origins=(CONSOLE,),
        max_body_bytes=1024,
    )
    return app.test_client()


def test_every_answer_carries_the_security_headers_and_api_answers_are_not_cached(client):
    answer = client.get("/api/v1/auth/users", headers=bearer())
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in answer.headers
    over_tls = client.get("/api/v1/auth/users", headers=bearer(), base_url="https://localhost")
    assert over_tls.headers["Strict-Transport-Security"].startswith("max-age=")


def test_hsts_is_not_sent_on_a_clients_own_word_only_on_a_trusted_proxys(client, databases):
    claimed = client.get("/api/v1/auth/users", headers={**bearer(), "X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in claimed.headers
    proxied = service_app(
        "gateway", databases.new("sqlite"), service_urls={}, trusted_proxy_hops=1
    ).test_client()
    behind_tls = proxied.get(
        "/api/v1/auth/users", headers={**bearer(), "X-Forwarded-Proto": "https"}
    )
    assert behind_tls.headers["Strict-Transport-Security"].startswith("max-age=")


def test_cors_answers_the_allowed_origin_only(client):
    preflight = {
        "Origin": CONSOLE,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type",
    }
    allowed = client.options("/api/v1/orders", headers=preflight)
    assert allowed.status_code == 204  # answered here: the orders service is not asked
    assert allowed.headers["Access-Control-Allow-Origin"] == CONSOLE
    other = client.options("/api/v1/orders", headers={**preflight, "Origin": "https://evil.test"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_a_body_over_the_limit_is_413_problem_json(client):
    body = {"username": "x" * 2000, "password": "y"}
    answer = client.post("/api/v1/auth/token", json=body)
    assert answer.status_code == 413
    assert answer.mimetype == "application/problem+json"


def test_options_on_a_gateway_path_names_only_its_own_methods(client):
    answer = client.options("/api/v1/auth/token")
    assert answer.headers["Allow"] == "POST"
