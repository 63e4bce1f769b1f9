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
