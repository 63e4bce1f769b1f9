"""A machine reaches the API with an integration account: an admin makes it and is shown its
key once; the key gets tokens at /auth/token and a new key stops the old one at once. An
integration keeps webhook subscriptions of its own, sees no one else's, and may not take
events carrying personal data; it reads orders and the catalogue and nothing of the admin's."""

from __future__ import annotations

import pytest

from erp_testing import bearer, service_app

pytestmark = pytest.mark.integration

INTEGRATIONS = "/api/v1/auth/integrations"
WEBHOOKS = "/api/v1/webhooks"


@pytest.fixture
def client(databases):
    app = service_app("gateway", databases.new("sqlite"), login_rate_limit="1000/minute")
    return app.test_client()


def token(client, username: str, key: str):
    return client.post("/api/v1/auth/token", json={"username": username, "password": key})


def as_machine(client, username: str, key: str) -> dict:
    answer = token(client, username, key)
    assert answer.status_code == 200, answer.json
    return {"Authorization": f"Bearer {answer.json['access_token']}"}


def test_an_admin_makes_an_integration_whose_key_gets_tokens_until_it_is_replaced(client):
    made = client.post(INTEGRATIONS, json={"username": "shop-front"}, headers=bearer())
    assert made.status_code == 201, made.json
    assert made.json["roles"] == ["integration"]
    key = made.json["api_key"]
    assert key.startswith("erpk_") and len(key) > 40
    listed = client.get("/api/v1/auth/users?per_page=200", headers=bearer()).json["items"]
    assert "api_key" not in next(u for u in listed if u["username"] == "shop-front")

    headers = as_machine(client, "shop-front", key)
    assert client.get("/api/v1/auth/users", headers=headers).status_code == 403
    assert client.post(INTEGRATIONS, json={"username": "x"}, headers=headers).status_code == 403

    renewed = client.post(f"{INTEGRATIONS}/{made.json['id']}/key", headers=bearer())
    assert renewed.status_code == 200
    assert renewed.json["api_key"] != key
    assert token(client, "shop-front", key).status_code == 401
    assert token(client, "shop-front", renewed.json["api_key"]).status_code == 200


def test_no_person_s_account_becomes_an_integration_nor_an_integration_gets_a_password(client):
    person = {"username": "sam", "password": "first-password-1", "roles": ["integration"]}
    refused = client.post("/api/v1/auth/users", json=person, headers=bearer())
    assert refused.status_code == 422 and "roles" in refused.json["errors"]
    sam = client.post(
        "/api/v1/auth/users", json=person | {"roles": ["sales"]}, headers=bearer()
    ).json
    turned = client.patch(
        f"/api/v1/auth/users/{sam['id']}", json={"roles": ["integration"]}, headers=bearer()
    )
    assert turned.status_code == 422
    machine = client.post(INTEGRATIONS, json={"username": "ledger"}, headers=bearer()).json
    password = client.patch(
        f"/api/v1/auth/users/{machine['id']}",
        json={"password": "a-person-chose-this-1"},
        headers=bearer(),
    )
    assert password.status_code == 422 and "password" in password.json["errors"]
    taken = client.post(INTEGRATIONS, json={"username": "ledger"}, headers=bearer())
    assert taken.status_code == 409


def test_an_integration_keeps_its_own_subscriptions_without_personal_data(client):
    machine = client.post(INTEGRATIONS, json={"username": "shipper"}, headers=bearer()).json
    headers = as_machine(client, "shipper", machine["api_key"])
    admins = client.post(
        WEBHOOKS,
        json={"url": "http://127.0.0.1:9/admin", "events": ["customer.registered"]},
        headers=bearer(),
    ).json

    personal = client.post(
        WEBHOOKS,
        json={"url": "http://127.0.0.1:9/ship", "events": ["order.shipped", "customer.updated"]},
        headers=headers,
    )
    assert personal.status_code == 422
    assert personal.json["errors"]["events"] == ["customer.updated carries personal data."]
    own = client.post(
        WEBHOOKS,
        json={"url": "http://127.0.0.1:9/ship", "events": ["order.shipped"]},
        headers=headers,
    )
    assert own.status_code == 201, own.json
    assert own.json["secret"].startswith("whsec_")

    mine = client.get(WEBHOOKS, headers=headers).json
    assert [s["id"] for s in mine["items"]] == [own.json["id"]] and mine["total"] == 1
    for method, path in (
        ("GET", admins["id"]),
        ("PATCH", admins["id"]),
        ("DELETE", admins["id"]),
        ("POST", f"{admins['id']}/secret"),
        ("GET", f"{admins['id']}/deliveries"),
    ):
        body = {"status": "paused"} if method == "PATCH" else {}
        answer = client.open(f"{WEBHOOKS}/{path}", method=method, json=body, headers=headers)
        assert answer.status_code == 404, (method, path, answer.json)
    widened = client.patch(
        f"{WEBHOOKS}/{own.json['id']}", json={"events": ["customer.erased"]}, headers=headers
    )
    assert widened.status_code == 422
    every = client.get(WEBHOOKS, headers=bearer()).json
    assert {s["id"] for s in every["items"]} == {admins["id"], own.json["id"]}
