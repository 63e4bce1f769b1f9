"""Repeated wrong passwords lock an account for a while: even the right password is refused
until the lock runs out, and a good sign-in clears the count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from erp_testing import bearer, service_app
from gateway.identity import LOCK_AFTER
from gateway.tables import users

pytestmark = pytest.mark.integration


@pytest.fixture
def app(databases):
    app = service_app("gateway", databases.new("sqlite"), login_rate_limit="1000/minute")
    user = {"username": "sam", "password": "right-password-1", "roles": ["sales"]}
    assert app.test_client().post("/api/v1/auth/users", json=user, headers=bearer()).status_code
    return app


def sign_in(app, password):
    body = {"username": "sam", "password": password}
    return app.test_client().post("/api/v1/auth/token", json=body)


def test_after_repeated_failures_even_the_right_password_waits(app):
    for _ in range(LOCK_AFTER):
        assert sign_in(app, "wrong").status_code == 401
    refused = sign_in(app, "right-password-1")
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"
    with app.extensions["erp_engine"].begin() as conn:
        row = conn.execute(select(users.c.failed_logins, users.c.locked_until)).one()
        assert row.failed_logins == LOCK_AFTER
        assert row.locked_until > datetime.now(UTC) + timedelta(minutes=14)
        conn.execute(update(users).values(locked_until=datetime.now(UTC) - timedelta(seconds=1)))

    assert sign_in(app, "right-password-1").status_code == 200
    with app.extensions["erp_engine"].begin() as conn:
        row = conn.execute(select(users.c.failed_logins, users.c.locked_until)).one()
    assert (row.failed_logins, row.locked_until) == (0, None)


def test_failures_below_the_threshold_do_not_lock(app):
    for _ in range(LOCK_AFTER - 1):
        assert sign_in(app, "wrong").status_code == 401
    assert sign_in(app, "right-password-1").status_code == 200
