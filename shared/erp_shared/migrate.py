"""Schema migrations: one Alembic history per service, run the same way everywhere.

`python -m erp_shared.migrate <service>...` upgrades each service's database to head; each
service's `migrations/env.py` only calls `run_migrations(...)`.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from erp_shared.config import Settings
from erp_shared.db import make_engine


def alembic_config(package: str, url: str) -> Config:
    service_dir = Path(importlib.import_module(package).__file__).resolve().parents[1]
    config = Config()
    config.set_main_option("script_location", str(service_dir / "migrations"))
    config.attributes["url"] = url
    return config


def upgrade(package: str, url: str) -> None:
    command.upgrade(alembic_config(package, url), "head")


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
        upgrade(service, Settings.from_env(service, uses_broker=False).database_url)
