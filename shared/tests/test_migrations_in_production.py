"""What a migration Job and a rollout rely on: a migration waits for its database to come up,
gives up on a lock it cannot get instead of stalling every query behind it, and a new release's
app is not ready until the schema it was written for is there."""

from __future__ import annotations

import importlib
import socket
import time

import psycopg
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.exc import OperationalError

from erp_shared import migrate
from erp_testing import settings_for

pytestmark = pytest.mark.integration


def test_a_migration_waits_for_its_database_then_gives_up_saying_why(caplog):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(OperationalError):
        migrate.wait_for_database(f"postgresql://postgres@127.0.0.1:{closed}/none", timeout=2)
    assert time.monotonic() - started < 5
    assert "database not reachable yet" in caplog.text  # it tried again before giving up


def test_a_migration_gives_up_on_a_lock_held_by_a_long_transaction(databases, monkeypatch):
    url = databases.new("postgresql")
    command.upgrade(migrate.alembic_config("orders", url), "0005")
    monkeypatch.setattr(migrate, "LOCK_TIMEOUT", "1s")
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as long_running:
        long_running.execute("LOCK TABLE invoices IN ACCESS SHARE MODE")  # a long report
        started = time.monotonic()
        with pytest.raises(OperationalError, match="lock timeout"):
            migrate.upgrade("orders", url)  # 0006 alters invoices
        assert time.monotonic() - started < 10
    migrate.upgrade("orders", url)  # the Job's next attempt, once the lock is free
    version = psycopg.connect(url.replace("postgresql+psycopg", "postgresql")).execute(
        "SELECT version_num FROM alembic_version"
    )
    head = ScriptDirectory.from_config(migrate.alembic_config("orders", url)).get_current_head()
    assert version.fetchone()[0] == head


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_app_is_not_ready_until_its_schema_is_migrated(databases, backend):
    url = databases.new(backend)
    command.upgrade(migrate.alembic_config("orders", url), "0005")
    create_app = importlib.import_module("orders.app").create_app
    client = create_app(settings_for("orders", url)).test_client()
    behind = client.get("/health/ready")
    assert behind.status_code == 503
    assert behind.json["checks"]["schema"] == "down"
    migrate.upgrade("orders", url)
    ready = client.get("/health/ready")
    assert ready.json["checks"]["schema"] == "ok"
