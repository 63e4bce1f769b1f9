"""On PostgreSQL the gateway runs as a role that owns no table: whoever holds its connection
can add to the audit trail and fill in an outcome, but cannot empty it, change it or switch
its triggers off (an owner could, whatever the triggers say)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from erp_shared.migrate import upgrade
from erp_testing import bearer, service_app, unique

pytestmark = pytest.mark.integration


@pytest.fixture
def as_app_role(databases):
    """A migrated gateway database, owned by the test's superuser, and the URL of a role
    the migrations granted the gateway's rights to."""
    owner_url = databases.new("postgresql")
    role = f"gateway_app_{unique()}"
    owner = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    upgrade("gateway", owner_url, role)
    yield make_url(owner_url).set(username=role).render_as_string(hide_password=False)
    with owner.connect() as conn:
        conn.execute(text(f'DROP OWNED BY "{role}"'))
        conn.execute(text(f'DROP ROLE "{role}"'))
    owner.dispose()


def test_the_app_role_writes_the_trail_but_cannot_erase_it(as_app_role):
    app = service_app("gateway", as_app_role, service_urls={})
    client = app.test_client()
    user = {"username": "sam", "password": "sales-secret-password", "roles": ["sales"]}
    assert client.post("/api/v1/auth/users", json=user, headers=bearer()).status_code == 201
    trail = client.get("/api/v1/audit", headers=bearer()).json
    assert [(e["path"], e["status"]) for e in trail["items"]] == [("/api/v1/auth/users", 201)]

    engine = app.extensions["erp_engine"]
    for statement, refusal in (
        ("TRUNCATE audit_log", "permission denied"),
        ("ALTER TABLE audit_log DISABLE TRIGGER ALL", "must be owner"),
        ("DROP TRIGGER audit_log_append_only ON audit_log", "must be owner"),
        ("DELETE FROM audit_log", "permission denied"),
        ("UPDATE audit_log SET actor = 'someone'", "permission denied"),
        ("UPDATE audit_log SET status = 200", "append-only"),
    ):
        with pytest.raises(DBAPIError, match=refusal), engine.begin() as conn:
            conn.execute(text(statement))
    engine.dispose()
