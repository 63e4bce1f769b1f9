"""The console's session, seen from a browser's side: signing in through its form leaves the
API's tokens in cookies scripts cannot read, the call is audited as any client's, an expired
access token is renewed from the refresh token, signing out revokes it, and a form posted
without its CSRF value or from another origin is refused."""

from __future__ import annotations

import pytest
from console_signing import BROWSER, USER, console_client, csrf, sign_in

from erp_testing import bearer, claims, sign

pytestmark = pytest.mark.integration


@pytest.fixture
def client(databases):
    return console_client(databases.new("sqlite"))


def cookie_flags(answer) -> dict[str, str]:
    return {c.split("=", 1)[0]: c for c in answer.headers.getlist("Set-Cookie")}


def test_signing_in_keeps_the_tokens_in_strict_http_only_cookies_and_is_audited(client):
    answer = sign_in(client)
    assert answer.status_code == 302 and answer.headers["Location"] == "/customers"
    flags = cookie_flags(answer)
    for name in ("erp_access", "erp_refresh"):
        assert "HttpOnly" in flags[name] and "SameSite=Strict" in flags[name]
        assert "Secure" not in flags[name]
    trail = client.get("/api/v1/audit", headers=bearer()).json["items"]
    sign_ins = [e for e in trail if e["path"] == "/api/v1/auth/token"]
    assert sign_ins[0]["actor"] == "sam" and sign_ins[0]["remote_addr"] == "203.0.113.7"


def test_a_clients_own_forwarded_headers_decide_neither_secure_cookies_nor_its_address(client):
    claimed = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.9"}
    assert "Secure" not in cookie_flags(sign_in(client, **claimed))["erp_access"]
    trail = client.get("/api/v1/audit", headers=bearer()).json["items"]
    assert trail[0]["path"] == "/api/v1/auth/token" and trail[0]["remote_addr"] == "203.0.113.7"


def test_behind_a_trusted_proxy_its_tls_makes_cookies_secure_and_its_client_is_audited(
    databases,
):
    client = console_client(databases.new("sqlite"), trusted_proxy_hops=1)
    # The proxy (203.0.113.7) appends the address it saw to what the client claimed.
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.1, 198.51.100.9"}
    assert "Secure" in cookie_flags(sign_in(client, **forwarded))["erp_access"]
    trail = client.get("/api/v1/audit", headers=bearer()).json["items"]
    assert trail[0]["path"] == "/api/v1/auth/token" and trail[0]["remote_addr"] == "198.51.100.9"


def test_an_expired_access_token_is_renewed_from_the_refresh_token(client):
    sign_in(client)
    stale = sign(claims(["sales"], "sam", ttl=-60))
    client.set_cookie("erp_access", stale)
    answer = client.get("/", environ_base=BROWSER)
    assert answer.status_code == 302 and answer.headers["Location"] == "/customers"
    assert "erp_access" in cookie_flags(answer) and "erp_refresh" in cookie_flags(answer)


def test_signing_out_revokes_the_refresh_token_and_drops_the_cookies(client):
    sign_in(client)
    refresh_token = client.get_cookie("erp_refresh").value
    answer = client.post("/sign-out", data={"csrf_token": client.get_cookie("erp_csrf").value})
    assert answer.status_code == 302
    assert client.get_cookie("erp_access") is None and client.get_cookie("erp_refresh") is None
    again = client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})
    assert again.status_code == 401
    assert client.get("/customers").headers["Location"] == "/sign-in?next=/customers"


def test_a_form_without_its_csrf_value_or_from_another_origin_is_refused(client):
    token = csrf(client)
    form = {"username": USER["username"], "password": USER["password"]}
    assert client.post("/sign-in", data=form).status_code == 403
    elsewhere = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    refused = client.post("/sign-in", data={**form, "csrf_token": token}, headers=elsewhere)
    assert refused.status_code == 403
    assert "erp_access" not in cookie_flags(refused)


def test_the_session_cookie_stands_for_a_token_on_the_order_feed_only(client):
    """A browser's EventSource cannot send a bearer token; the cookie does, for the feed."""
    assert sign_in(client).status_code == 302
    order = "5b7c6d0e-8f9a-4b1c-9d2e-3f4a5b6c7d8e"
    assert client.get("/api/v1/orders", environ_base=BROWSER).status_code == 401
    assert client.get(f"/api/v1/orders/{order}", environ_base=BROWSER).status_code == 401
    fed = client.get(f"/api/v1/orders/{order}/events", environ_base=BROWSER)
    assert fed.status_code != 401  # past identity: here no orders service answers
    refused = client.post(f"/api/v1/orders/{order}/events", environ_base=BROWSER)
    assert refused.status_code in (401, 405)
