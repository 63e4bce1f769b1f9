"""Short access tokens, refresh tokens used once, signing out, and what a copied refresh
token sets off."""

from __future__ import annotations

import pytest

from erp_testing import bearer, service_app

pytestmark = pytest.mark.integration


@pytest.fixture
def client(backend, databases):
    app = service_app("gateway", databases.new(backend), login_rate_limit="1000/minute")
    client = app.test_client()
    user = {"username": "sam", "password": "sales-password-1", "roles": ["sales"]}
    client.post("/api/v1/auth/users", json=user, headers=bearer())
    return client


def sign_in(client) -> dict:
    body = {"username": "sam", "password": "sales-password-1"}
    return client.post("/api/v1/auth/token", json=body).json


def refresh(client, token):
    return client.post("/api/v1/auth/refresh", json={"refresh_token": token})


def test_a_refresh_token_is_used_once_and_its_reuse_revokes_the_user_s_others(client):
    first = sign_in(client)
    assert first["expires_in"] == 900 and first["refresh_token"]
    second = refresh(client, first["refresh_token"])
    assert second.status_code == 200
    assert second.json["refresh_token"] != first["refresh_token"]
    headers = {"Authorization": f"Bearer {second.json['access_token']}"}
    assert client.get("/api/v1/orders", headers=headers).status_code != 401

    assert refresh(client, first["refresh_token"]).status_code == 401  # a copy was used
    assert refresh(client, second.json["refresh_token"]).status_code == 401  # so all go


def test_signing_out_ends_the_refresh_token(client):
    tokens = sign_in(client)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    body = {"refresh_token": tokens["refresh_token"]}
    assert client.post("/api/v1/auth/logout", json=body, headers=headers).status_code == 204
    assert refresh(client, tokens["refresh_token"]).status_code == 401


def test_a_disabled_user_cannot_refresh(client):
    tokens = sign_in(client)
    users = client.get("/api/v1/auth/users", headers=bearer()).json["items"]
    sam = next(user for user in users if user["username"] == "sam")
    client.patch(f"/api/v1/auth/users/{sam['id']}", json={"active": False}, headers=bearer())
    assert refresh(client, tokens["refresh_token"]).status_code == 401
    assert refresh(client, "made-up").status_code == 401
