"""Tokens, proxies, limits, health and metrics, tried through the gateway as clients and an
attacker would (issue 19, findings 4, 5, 6, 11 and 12): behind one trusted proxy each client
has its own sign-in allowance and cannot pick its address; refused tokens count against the
rate limit; a token lasts no longer than the configured lifetime nor than its key; the
expensive requests have a per-user allowance; /health tells the world only that the gateway
answers, and /metrics answers only Prometheus' token."""

from __future__ import annotations

import httpx
import pytest

from erp_testing import claims, sign, wait_for
from erp_testing.system import ADMIN_PASSWORD, running_system
from gateway.keys import SigningKeys, new_key_file, publish

pytestmark = pytest.mark.e2e

METRICS_TOKEN = "e2e-metrics-token"
LOGIN_LIMIT = 5
RATE_LIMIT = 30
EXPENSIVE_LIMIT = 3


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """The gateway's own key folder (so a test may rotate it) and the JWKS file the services
    read, made as a first deployment makes them."""
    folder = tmp_path_factory.mktemp("keys")
    new_key_file(folder).rename(folder / "k1.pem")
    publish(folder, folder / "jwks.json")
    return folder


@pytest.fixture(scope="module")
def system(tmp_path_factory, amqp_url, keys):
    """One system behind one (simulated) proxy: the tests send X-Forwarded-For and -Proto as
    an ingress would, from 127.0.0.1."""
    settings = {
        "ERP_JWT_KEYS_DIR": str(keys),
        "ERP_JWKS_URL": (keys / "jwks.json").as_uri(),
        "ERP_TRUSTED_PROXY_HOPS": "1",
        "ERP_METRICS_TOKEN": METRICS_TOKEN,
        "GATEWAY_LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT}/minute",
        "GATEWAY_RATE_LIMIT": f"{RATE_LIMIT}/minute",
        "GATEWAY_EXPENSIVE_RATE_LIMIT": f"{EXPENSIVE_LIMIT}/minute",
    }
    with running_system(tmp_path_factory.mktemp("system"), amqp_url, **settings) as system:
        yield system


def token_from(keys, ttl: int = 600, **claimed) -> dict:
    """A token signed with the gateway's current signing key (the last by name)."""
    signing = SigningKeys.from_dir(keys)
    kid = signing.signing_kid
    body = {**claims(ttl=ttl), **claimed}
    token = sign(body, key=signing.private[kid], headers={"kid": kid})
    return {"Authorization": f"Bearer {token}"}


def through_proxy(client: str, claimed: str = "") -> dict:
    """What the proxy sends on: whatever the client wrote, then the address it came from."""
    return {"X-Forwarded-For": f"{claimed}, {client}" if claimed else client}


def sign_in(system, username: str, password: str, client: str, claimed: str = ""):
    return httpx.post(
        f"{system.gateway}/api/v1/auth/token",
        json={"username": username, "password": password},
        headers=through_proxy(client, claimed),
        timeout=30,
    )


def test_each_client_behind_the_proxy_has_its_own_sign_in_allowance(system):
    guesser = "198.51.100.1"
    for attempt in range(LOGIN_LIMIT):
        assert sign_in(system, f"guess-{attempt}", "wrong-password", guesser).status_code == 401
    assert sign_in(system, "guess-x", "wrong-password", guesser).status_code == 429
    # An address the guesser writes itself, before the proxy's entry, does not help it.
    dodge = sign_in(system, "guess-y", "wrong-password", guesser, claimed="192.0.2.80")
    assert dodge.status_code == 429
    assert sign_in(system, "admin", ADMIN_PASSWORD, "198.51.100.2").status_code == 200


def test_requests_with_a_refused_token_count_against_their_address(system):
    forged = {"Authorization": "Bearer not-a-token", **through_proxy("198.51.100.3")}
    products = f"{system.gateway}/api/v1/products"
    for _ in range(RATE_LIMIT):
        assert httpx.get(products, headers=forged).status_code == 401
    refused = httpx.get(products, headers=forged)
    assert refused.status_code == 429
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert int(refused.headers["Retry-After"]) > 0
    elsewhere = {**forged, **through_proxy("198.51.100.33")}
    assert httpx.get(products, headers=elsewhere).status_code == 401


def test_a_token_lasting_longer_than_the_configured_lifetime_is_refused_everywhere(system, keys):
    lasting = token_from(keys, ttl=30 * 24 * 3600)
    at_gateway = httpx.get(f"{system.gateway}/api/v1/customers", headers=lasting)
    assert at_gateway.status_code == 401 and "at most 900 seconds" in at_gateway.text
    crm = f"http://127.0.0.1:{system.port('crm')}/api/v1/customers"
    assert httpx.get(crm, headers=lasting).status_code == 401
    assert httpx.get(crm, headers=token_from(keys)).status_code == 200


def test_a_key_rotated_out_stops_its_tokens_without_a_restart(system, keys):
    old = {"Authorization": f"Bearer {system.sign_in()}"}
    users = f"{system.gateway}/api/v1/auth/users"  # the gateway's own: it alone decides
    crm = f"http://127.0.0.1:{system.port('crm')}/api/v1/customers"
    assert httpx.get(users, headers=old).status_code == 200
    assert httpx.get(crm, headers=old).status_code == 200  # checked, and remembered

    new_key_file(keys).rename(keys / "k2.pem")
    (keys / "k1.pem").unlink()
    publish(keys, keys / "jwks.json")

    assert wait_for(lambda: httpx.get(users, headers=old).status_code == 401, timeout=10)
    assert wait_for(lambda: httpx.get(crm, headers=old).status_code == 401, timeout=10)
    published = httpx.get(f"{system.gateway}/.well-known/jwks.json").json()
    assert [key["kid"] for key in published["keys"]] == ["k2"]
    new = {"Authorization": f"Bearer {system.sign_in()}"}
    assert httpx.get(users, headers=new).status_code == 200
    assert httpx.get(crm, headers=new).status_code == 200


def test_expensive_requests_have_a_per_user_allowance(system, keys):
    ana = token_from(keys, sub="ana", roles=["analyst"])
    basket = f"{system.gateway}/api/v1/analytics/basket"
    runs = f"{system.gateway}/api/v1/analytics/forecast/runs"
    run = {"granularity": "month", "horizon": 3}
    answers = [httpx.get(basket, headers=ana) for _ in range(EXPENSIVE_LIMIT - 1)]
    answers.append(httpx.post(runs, json=run, headers=ana))
    assert [answer.status_code for answer in answers] == [200] * (EXPENSIVE_LIMIT - 1) + [202]
    over = httpx.post(runs, json=run, headers=ana)
    assert over.status_code == 429 and int(over.headers["Retry-After"]) > 0
    summary = f"{system.gateway}/api/v1/analytics/summary"
    assert httpx.get(summary, headers=ana).status_code == 200  # not an expensive one
    bob = token_from(keys, sub="bob", roles=["analyst"])
    assert httpx.get(basket, headers=bob).status_code == 200


def test_health_tells_anyone_only_that_the_gateway_answers_and_is_rate_limited(system, keys):
    health = f"{system.gateway}/health"
    public = httpx.get(health, headers=through_proxy("198.51.100.4"))
    assert public.status_code == 200 and public.json() == {"status": "ok"}
    customer = token_from(keys, sub="cora", roles=["customer"], customer_id="c-1")
    assert httpx.get(health, headers=customer).status_code == 403
    detail = httpx.get(health, headers=token_from(keys)).json()
    assert {name: state["status"] for name, state in detail["services"].items()} == {
        "crm": "ok",
        "orders": "ok",
        "inventory": "ok",
        "analytics": "ok",
    }
    for _ in range(RATE_LIMIT - 1):
        httpx.get(health, headers=through_proxy("198.51.100.4"))
    assert httpx.get(health, headers=through_proxy("198.51.100.4")).status_code == 429
    assert httpx.get(f"{health}/live", headers=through_proxy("198.51.100.4")).status_code == 200


def test_metrics_answer_only_the_metrics_token(system):
    for url in (system.gateway, f"http://127.0.0.1:{system.port('orders')}"):
        assert httpx.get(f"{url}/metrics").status_code == 401
        guessed = httpx.get(f"{url}/metrics", headers={"Authorization": "Bearer guessed"})
        assert guessed.status_code == 401
        scraped = httpx.get(f"{url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert scraped.status_code == 200 and "erp_http_requests_total" in scraped.text


def test_tls_is_taken_from_the_proxys_own_entry_whatever_the_client_wrote(system, keys):
    users = f"{system.gateway}/api/v1/auth/users"
    admin = token_from(keys)
    # The client wrote http itself and reached the proxy over TLS, which appended https.
    over_tls = httpx.get(users, headers={**admin, "X-Forwarded-Proto": "http, https"})
    assert over_tls.headers["Strict-Transport-Security"].startswith("max-age=")
    # The client wrote https itself; the proxy, reached over plain HTTP, appended http.
    claimed = httpx.get(users, headers={**admin, "X-Forwarded-Proto": "https, http"})
    assert "Strict-Transport-Security" not in claimed.headers
