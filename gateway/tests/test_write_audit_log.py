"""Every write through the gateway lands in an append-only audit trail an admin can query:
who, with which roles, what, on which record, how it ended; never a password or token."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from erp_testing import bearer, service_app

pytestmark = pytest.mark.integration

PASSWORD = "sales-secret-password"


@pytest.fixture
def app(backend, databases):
    return service_app("gateway", databases.new(backend), service_urls={})


def test_writes_and_refusals_are_recorded_without_secrets(app):
    client = app.test_client()
    user = {"username": "sam", "password": PASSWORD, "roles": ["sales"]}
    made = client.post("/api/v1/auth/users", json=user, headers=bearer(subject="root"))
    assert made.status_code == 201
    refused = client.post("/api/v1/auth/users", json=user, headers=bearer(["sales"], "sam"))
    assert refused.status_code == 403
    client.post("/api/v1/auth/token", json={"username": "sam", "password": "wrong"})
    client.get("/api/v1/auth/users", headers=bearer())  # a read is not audited

    trail = client.get("/api/v1/audit", headers=bearer()).json
    assert trail["total"] == 3
    entries = [(e["actor"], e["method"], e["path"], e["status"]) for e in trail["items"]]
    assert entries == [
        ("sam", "POST", "/api/v1/auth/token", 401),
        ("sam", "POST", "/api/v1/auth/users", 403),
        ("root", "POST", "/api/v1/auth/users", 201),
    ]
    assert trail["items"][2]["target"] == made.json["id"]
    assert trail["items"][2]["roles"] == "admin"
    assert all(entry["request_id"] for entry in trail["items"])
    with app.extensions["erp_engine"].connect() as conn:
        stored = str(conn.execute(text("SELECT * FROM audit_log")).all())
    assert PASSWORD not in stored and "wrong" not in stored and "Bearer" not in stored

    mine = client.get("/api/v1/audit?actor=root", headers=bearer()).json
    assert [e["status"] for e in mine["items"]] == [201]
    assert client.get("/api/v1/audit", headers=bearer(["analyst"])).status_code == 403


def test_the_trail_cannot_be_changed_or_deleted(app):
    app.test_client().post("/api/v1/auth/token", json={"username": "x", "password": "y"})
    engine = app.extensions["erp_engine"]
    for statement in ("UPDATE audit_log SET status = 200", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))


def test_a_long_request_id_cannot_keep_a_write_out_of_the_trail(app):
    """PostgreSQL refuses a value longer than its column; SQLite stores it. A client's request
    id over the column's 64 characters is replaced, and a long path is cut to fit."""
    client = app.test_client()
    long_id = "r" * 128
    user = {"username": "sam", "password": PASSWORD, "roles": ["sales"]}
    made = client.post(
        "/api/v1/auth/users", json=user, headers=bearer() | {"X-Request-ID": long_id}
    )
    assert made.status_code == 201
    assert made.headers["X-Request-ID"] != long_id
    long_path = "/api/v1/auth/users/" + "u" * 600
    client.patch(long_path, json={"active": False}, headers=bearer())

    trail = client.get("/api/v1/audit", headers=bearer()).json["items"]
    assert [(e["path"], e["status"]) for e in trail] == [
        (long_path[:500], 404),
        ("/api/v1/auth/users", 201),
    ]
    assert trail[1]["request_id"] == made.headers["X-Request-ID"]


REFUSE_ENTRIES = {
    "sqlite": [
        "CREATE TRIGGER audit_log_broken BEFORE INSERT ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION audit_log_broken() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$",
        "CREATE TRIGGER audit_log_broken BEFORE INSERT ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_broken()",
    ],
}


def test_a_write_that_cannot_be_entered_in_the_trail_is_not_done(app, backend):
    with app.extensions["erp_engine"].begin() as conn:
        for statement in REFUSE_ENTRIES[backend]:
            conn.execute(text(statement))
    client = app.test_client()
    user = {"username": "sam", "password": PASSWORD, "roles": ["sales"]}

    refused = client.post("/api/v1/auth/users", json=user, headers=bearer())

    assert refused.status_code == 503
    assert refused.mimetype == "application/problem+json"
    assert "audit" in refused.json["detail"]
    users = client.get("/api/v1/auth/users", headers=bearer()).json["items"]
    assert "sam" not in [u["username"] for u in users]


def test_an_entry_gets_its_outcome_once(app):
    client = app.test_client()
    client.post("/api/v1/auth/token", json={"username": "x", "password": "y"})
    engine = app.extensions["erp_engine"]
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET status = 200, target = 'forged'"))
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_log (at, request_id, method, path) VALUES "
                "(CURRENT_TIMESTAMP, 'r', 'POST', '/api/v1/orders')"
            )
        )
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_log SET actor = 'someone', status = 201 WHERE status IS NULL")
        )
