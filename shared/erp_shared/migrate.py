"""Schema migrations: one Alembic history per service, run the same way everywhere.

`python -m erp_shared.migrate <service>...` upgrades each service's database to head; each
service's `migrations/env.py` only calls `run_migrations(...)`.

On PostgreSQL the migrations run as the owner of the tables and the service's processes as
another role (`<SERVICE>_DATABASE_APP_ROLE`): an owner may TRUNCATE a table or disable its
triggers whatever the triggers say, so only a role that owns nothing keeps an append-only
table append-only against the service itself (or whoever takes over its connection).
"""

from __future__ import annotations

import importlib
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from erp_shared.config import Settings, typed
from erp_shared.db import make_engine
from erp_shared.production import refuse_unsafe_start

log = logging.getLogger(__name__)
# How long a migration may wait for a lock before it gives up (PostgreSQL): behind a long
# transaction, an ALTER TABLE waiting for its lock makes every query of that table queue
# behind it. Failing fast lets the Job retry later instead of stalling the service.
LOCK_TIMEOUT = "10s"


def alembic_config(package: str, url: str) -> Config:
    service_dir = Path(importlib.import_module(package).__file__).resolve().parents[1]
    config = Config()
    config.set_main_option("script_location", str(service_dir / "migrations"))
    config.attributes["url"] = url
    return config


def wait_for_database(url: str, timeout: float) -> None:
    """A migration Job may start before its database accepts connections (a new cluster, a
    failover): try again, backing off, for up to `timeout` seconds."""
    deadline, delay = time.monotonic() + timeout, 0.5
    engine = make_engine(url)
    try:
        while True:
            try:
                with engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                return
            except OperationalError as exc:
                if time.monotonic() + delay > deadline:
                    raise
                log.warning("database not reachable yet (%s); again in %.1fs", exc, delay)
                time.sleep(delay)
                delay = min(delay * 2, 10.0)
    finally:
        engine.dispose()


def schema_behind(package: str) -> Callable[[Connection], bool]:
    """A check for readiness: whether the database's schema is older than this code's head.
    A database at a revision this code does not know is newer (a later release migrated it:
    expand first, so older code still runs on it), and counts as current."""
    script = ScriptDirectory.from_config(alembic_config(package, ""))
    head = script.get_current_head()
    known = {revision.revision for revision in script.walk_revisions()}

    def behind(conn: Connection) -> bool:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return version != head and (version is None or version in known)

    return behind


def upgrade(package: str, url: str, app_role: str | None = None) -> None:
    command.upgrade(alembic_config(package, url), "head")
    if app_role:
        tables = importlib.import_module(f"{package}.tables")
        grant_app_role(url, app_role, getattr(tables, "APPEND_ONLY", {}))


def grant_app_role(url: str, role: str, append_only: dict[str, tuple[str, ...]]) -> None:
    """What the service's own role may do: read and write rows, and of an append-only table
    add rows and fill in the columns named; never TRUNCATE, change a table or its triggers."""
    engine = make_engine(url)
    name = engine.dialect.identifier_preparer.quote(role)
    with engine.begin() as conn:
        for statement in (
            f"GRANT USAGE ON SCHEMA public TO {name}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}",
        ):
            conn.exec_driver_sql(statement)
        for table, columns in append_only.items():
            conn.exec_driver_sql(f"REVOKE UPDATE, DELETE ON {table} FROM {name}")
            conn.exec_driver_sql(f"GRANT UPDATE ({', '.join(columns)}) ON {table} TO {name}")
    engine.dispose()


def managed(unmanaged: tuple[str, ...]):
    """Alembic's include_name hook: leave alone what a service builds by hand (full-text
    indexes SQLAlchemy cannot declare, and the tables such an index keeps for itself)."""

    def include_name(name, type_, _parents) -> bool:
        return not (name and type_ in ("table", "index") and name.startswith(unmanaged))

    return include_name


def run_migrations(target_metadata, unmanaged: tuple[str, ...] = ()) -> None:
    """Called from a service's migrations/env.py with its schema (tables.schema)."""
    from alembic import context

    engine = make_engine(context.config.attributes["url"])
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # For the session; committed, so Alembic begins (and commits) its own transaction.
            connection.exec_driver_sql(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            include_name=managed(unmanaged),
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if __name__ == "__main__":
    for service in sys.argv[1:]:
        settings = Settings.from_env(service, uses_broker=False)
        refuse_unsafe_start(settings)
        wait_for_database(settings.database_url, typed("ERP_MIGRATE_WAIT", 120.0, float))
        upgrade(service, settings.database_url, settings.database_app_role)
