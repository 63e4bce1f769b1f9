"""Rate limits count the caller a person would name: each client behind a trusted proxy by
its own address (never by an address it wrote itself), a request refused for its token or
its role as much as any other, and the requests that cost minutes of CPU per user."""

from __future__ import annotations

import pytest

from erp_testing import bearer, service_app

pytestmark = pytest.mark.integration

PROXY = {"REMOTE_ADDR": "10.1.2.3"}
FORGED = {"Authorization": "Bearer forged"}


def gateway(databases, **settings):
    # Nothing answers behind it: a forwarded call is 503 once it got past the limits.
    down = {s: "http://127.0.0.1:1" for s in ("crm", "orders", "inventory", "analytics")}
    app = service_app("gateway", databases.new("sqlite"), service_urls=down, **settings)
    return app.test_client()


def wrong_sign_in(client, username: str, **environ):
    body = {"username": username, "password": "wrong-password"}
    return client.post("/api/v1/auth/token", json=body, **environ).status_code


def test_each_client_behind_a_trusted_proxy_has_its_own_sign_in_allowance(databases):
    client = gateway(databases, trusted_proxy_hops=1, login_rate_limit="3/minute")

    def from_client(address: str, claimed: str = "") -> dict:
        forwarded = f"{claimed}, {address}" if claimed else address
        return {"environ_base": PROXY, "headers": {"X-Forwarded-For": forwarded}}

    for attempt in range(3):
        assert wrong_sign_in(client, f"guess-{attempt}", **from_client("198.51.100.1")) == 401
    assert wrong_sign_in(client, "guess-3", **from_client("198.51.100.1")) == 429
    # What the guesser writes itself, before the proxy's entry, does not move it elsewhere.
    assert wrong_sign_in(client, "guess-4", **from_client("198.51.100.1", "192.0.2.77")) == 429
    assert wrong_sign_in(client, "someone", **from_client("198.51.100.2")) == 401


def test_without_a_trusted_proxy_a_forwarded_for_header_changes_nothing(databases):
    client = gateway(databases, login_rate_limit="3/minute")
    for attempt in range(3):
        claimed = {"X-Forwarded-For": f"192.0.2.{attempt}"}
        assert wrong_sign_in(client, f"guess-{attempt}", headers=claimed) == 401
    assert wrong_sign_in(client, "guess-3", headers={"X-Forwarded-For": "192.0.2.9"}) == 429


def test_requests_refused_for_their_token_count_against_their_address(databases):
    client = gateway(databases, rate_limit="3/minute")
    for _ in range(3):
        assert client.get("/api/v1/products", headers=FORGED).status_code == 401
    refused = client.get("/api/v1/products", headers=FORGED)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    elsewhere = {"REMOTE_ADDR": "192.0.2.50"}
    assert client.get("/api/v1/products", headers=FORGED, environ_base=elsewhere).status_code == 401


def test_requests_the_role_rules_refuse_count_against_their_user(databases):
    client = gateway(databases, rate_limit="3/minute")
    sales = bearer(roles=["sales"], subject="sam")
    for _ in range(3):
        assert client.get("/api/v1/auth/users", headers=sales).status_code == 403
    assert client.get("/api/v1/auth/users", headers=sales).status_code == 429
    assert client.get("/api/v1/auth/users", headers=bearer(subject="ada")).status_code == 200


def test_expensive_requests_share_a_tighter_allowance_per_user(databases):
    client = gateway(databases, expensive_rate_limit="2/minute")
    ana = bearer(roles=["analyst"], subject="ana")
    run = {"granularity": "month", "horizon": 3}
    assert client.post("/api/v1/analytics/forecast/runs", json=run, headers=ana).status_code == 503
    assert client.get("/api/v1/analytics/basket", headers=ana).status_code == 503
    over = client.post("/api/v1/analytics/forecast/runs", json=run, headers=ana)
    assert over.status_code == 429 and over.mimetype == "application/problem+json"
    assert client.post("/api/v1/orders/import", data="x", headers=bearer()).status_code != 429
    assert client.get("/api/v1/analytics/summary", headers=ana).status_code == 503
    bob = bearer(roles=["analyst"], subject="bob")
    assert client.get("/api/v1/analytics/basket", headers=bob).status_code == 503


def test_the_health_report_is_counted_but_the_probes_are_not(databases):
    client = gateway(databases, rate_limit="3/minute")
    for _ in range(3):
        assert client.get("/health").status_code == 200
    assert client.get("/health").status_code == 429
    for _ in range(5):
        assert client.get("/health/live").status_code == 200
        assert client.get("/health/ready").status_code == 200
