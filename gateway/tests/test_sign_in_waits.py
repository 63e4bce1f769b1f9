"""Wrong passwords make the address they come from wait before it may try that username
again, doubling; nobody can lock anyone else out (a customer, the admin), and the answer is
the same whether the username exists or not."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from erp_testing import bearer, service_app
from gateway.identity import FREE_TRIES
from gateway.tables import failed_sign_ins

pytestmark = pytest.mark.integration

GUESSER, OWNER = "192.0.2.66", "198.51.100.7"


@pytest.fixture
def app(backend, databases):
    app = service_app("gateway", databases.new(backend), login_rate_limit="1000/minute")
    user = {"username": "sam", "password": "right-password-1", "roles": ["sales"]}
    assert app.test_client().post("/api/v1/auth/users", json=user, headers=bearer()).status_code
    return app


def sign_in(app, password, address=GUESSER, username="sam"):
    client = app.test_client()
    body = {"username": username, "password": password}
    return client.post("/api/v1/auth/token", json=body, environ_base={"REMOTE_ADDR": address})


def pass_the_wait(app):
    with app.extensions["erp_engine"].begin() as conn:
        last = conn.execute(select(failed_sign_ins.c.last_at)).scalar_one()
        conn.execute(update(failed_sign_ins).values(last_at=last - timedelta(minutes=30)))


def test_a_guessing_address_waits_ever_longer_while_the_owner_signs_in(app):
    for _ in range(FREE_TRIES):
        assert sign_in(app, "wrong").status_code == 401

    waiting = sign_in(app, "right-password-1")
    assert waiting.status_code == 429
    assert waiting.mimetype == "application/problem+json"
    assert int(waiting.headers["Retry-After"]) >= 1
    assert sign_in(app, "right-password-1", address=OWNER).status_code == 200

    pass_the_wait(app)
    assert sign_in(app, "wrong").status_code == 401
    assert int(sign_in(app, "wrong").headers["Retry-After"]) >= 2


def test_an_unknown_username_is_answered_the_same(app):
    answers = [sign_in(app, "wrong", username="nobody").status_code for _ in range(FREE_TRIES)]
    assert answers == [401] * FREE_TRIES
    assert sign_in(app, "wrong", username="nobody").status_code == 429


def test_a_good_password_or_a_reset_ends_the_count(app):
    for _ in range(FREE_TRIES - 1):
        sign_in(app, "wrong")
    assert sign_in(app, "right-password-1").status_code == 200
    for _ in range(FREE_TRIES - 1):
        assert sign_in(app, "wrong").status_code == 401
    assert sign_in(app, "right-password-1").status_code == 200

    for _ in range(FREE_TRIES):
        sign_in(app, "wrong")
    client = app.test_client()
    sam = client.get("/api/v1/auth/users", headers=bearer()).json["items"]
    url = f"/api/v1/auth/users/{next(u['id'] for u in sam if u['username'] == 'sam')}"
    client.patch(url, json={"password": "second-password-2"}, headers=bearer())
    assert sign_in(app, "second-password-2").status_code == 200


def test_wrong_passwords_sent_at_once_are_each_counted(app):
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: sign_in(app, "wrong").status_code, range(6)))
    with app.extensions["erp_engine"].connect() as conn:
        counted = conn.execute(select(failed_sign_ins.c.count)).scalar_one()
    assert counted == answers.count(401) >= 1
