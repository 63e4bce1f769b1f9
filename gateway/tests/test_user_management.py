"""An admin manages users: roles, a reset password that also lifts a lock, disabling; weak
passwords and customer accounts without a customer are refused; an admin cannot lock itself
out."""

from __future__ import annotations

import pytest

from erp_testing import bearer, service_app
from gateway.identity import FREE_TRIES

pytestmark = pytest.mark.integration


@pytest.fixture
def client(databases):
    app = service_app("gateway", databases.new("sqlite"), login_rate_limit="1000/minute")
    return app.test_client()


def add(client, **user):
    body = {"username": "sam", "password": "first-password-1", "roles": ["sales"]} | user
    return client.post("/api/v1/auth/users", json=body, headers=bearer(subject="root"))


def sign_in(client, password, username="sam"):
    body = {"username": username, "password": password}
    return client.post("/api/v1/auth/token", json=body).status_code


@pytest.mark.parametrize(
    "user,field",
    [
        ({"password": "short-1"}, "password"),
        ({"password": "my-name-is-sam-ok"}, "password"),
        ({"password": "aaaaaaaaaaaaaaaa"}, "password"),
        ({"roles": ["customer"]}, "roles"),
        ({"roles": ["customer", "sales"], "customer_id": "c-1"}, "roles"),
    ],
)
def test_a_weak_password_or_a_customer_without_a_customer_is_422(client, user, field):
    answer = add(client, **user)
    assert answer.status_code == 422
    assert field in answer.json["errors"]


def test_roles_change_a_reset_ends_the_wait_and_a_disabled_user_cannot_sign_in(client):
    sam = add(client).json
    url = f"/api/v1/auth/users/{sam['id']}"
    changed = client.patch(url, json={"roles": ["sales", "support"]}, headers=bearer())
    assert changed.json["roles"] == ["sales", "support"]

    for _ in range(FREE_TRIES):
        sign_in(client, "wrong")
    assert sign_in(client, "first-password-1") == 429
    client.patch(url, json={"password": "second-password-2"}, headers=bearer())
    assert sign_in(client, "second-password-2") == 200

    assert client.patch(url, json={"active": False}, headers=bearer()).json["active"] is False
    assert sign_in(client, "second-password-2") == 401


def test_an_admin_cannot_disable_or_demote_itself(client):
    root = add(client, username="root", roles=["admin"]).json
    url = f"/api/v1/auth/users/{root['id']}"
    for change in ({"active": False}, {"roles": ["sales"]}):
        answer = client.patch(url, json=change, headers=bearer(subject="root"))
        assert answer.status_code == 409, change
