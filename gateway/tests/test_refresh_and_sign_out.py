"""Short access tokens, refresh tokens used once, signing out, and what a copied refresh
token sets off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from erp_testing import bearer, service_app
from gateway.identity import SESSION_LIFETIME, SIBLING_GRACE
from gateway.tables import refresh_tokens

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


def used_longer_ago_than_a_sibling_tab(client) -> None:
    """Every used-up refresh token used before the grace another tab of the browser gets."""
    with client.application.extensions["erp_engine"].begin() as conn:
        used = conn.execute(
            select(refresh_tokens.c.digest, refresh_tokens.c.used_at).where(
                refresh_tokens.c.used_at.is_not(None)
            )
        ).all()
        for digest, used_at in used:
            earlier = used_at - SIBLING_GRACE - timedelta(seconds=1)
            conn.execute(
                update(refresh_tokens)
                .where(refresh_tokens.c.digest == digest)
                .values(used_at=earlier, revoked_at=earlier)
            )


def test_a_refresh_token_is_used_once_and_its_reuse_revokes_the_user_s_others(client):
    first = sign_in(client)
    assert first["expires_in"] == 900 and first["refresh_token"]
    second = refresh(client, first["refresh_token"])
    assert second.status_code == 200
    assert second.json["refresh_token"] != first["refresh_token"]
    headers = {"Authorization": f"Bearer {second.json['access_token']}"}
    assert client.get("/api/v1/orders", headers=headers).status_code != 401

    used_longer_ago_than_a_sibling_tab(client)
    assert refresh(client, first["refresh_token"]).status_code == 401  # a copy was used
    assert refresh(client, second.json["refresh_token"]).status_code == 401  # so all go


def test_two_tabs_renewing_the_same_token_at_once_both_stay_signed_in(client):
    shared = sign_in(client)["refresh_token"]
    one, other = refresh(client, shared), refresh(client, shared)
    assert (one.status_code, other.status_code) == (200, 200)
    assert one.json["refresh_token"] != other.json["refresh_token"]
    for tab in (one, other):  # each tab goes on renewing its own
        assert refresh(client, tab.json["refresh_token"]).status_code == 200


def test_signing_out_ends_the_refresh_token(client):
    tokens = sign_in(client)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    body = {"refresh_token": tokens["refresh_token"]}
    assert client.post("/api/v1/auth/logout", json=body, headers=headers).status_code == 204
    # At once, yet no sibling tab: a sign-out is not a refresh.
    assert refresh(client, tokens["refresh_token"]).status_code == 401


def test_a_disabled_user_cannot_refresh(client):
    tokens = sign_in(client)
    users = client.get("/api/v1/auth/users", headers=bearer()).json["items"]
    sam = next(user for user in users if user["username"] == "sam")
    client.patch(f"/api/v1/auth/users/{sam['id']}", json={"active": False}, headers=bearer())
    assert refresh(client, tokens["refresh_token"]).status_code == 401
    assert refresh(client, "made-up").status_code == 401


def test_a_session_ends_its_lifetime_after_the_sign_in_however_often_refreshed(client):
    first = sign_in(client)
    engine = client.application.extensions["erp_engine"]
    with engine.begin() as conn:
        issued = conn.execute(select(refresh_tokens.c.issued_at)).scalar_one()
        started = issued - SESSION_LIFETIME + timedelta(hours=1)
        conn.execute(update(refresh_tokens).values(session_started_at=started))
    renewed = refresh(client, first["refresh_token"])
    assert renewed.status_code == 200
    assert renewed.json["refresh_expires_in"] <= 3600
    with engine.begin() as conn:
        newest = select(refresh_tokens).order_by(refresh_tokens.c.issued_at.desc()).limit(1)
        token = conn.execute(newest).one()
    assert token.session_started_at == started
    assert token.expires_at == started + SESSION_LIFETIME
