"""Each service's migrations build the tables, columns, indexes and keys its code declares,
on both backends (Alembic's comparison does not look at CHECK constraints)."""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from erp_shared.config import APPS
from erp_shared.migrate import managed
from erp_testing import migrated_engine

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("package", APPS)
def test_migrating_to_head_leaves_nothing_for_autogenerate(package, backend, databases):
    engine = migrated_engine(package, databases.new(backend))
    tables = importlib.import_module(f"{package}.tables")
    include_name = managed(getattr(tables, "unmanaged", ()))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        differences = compare_metadata(context, list(tables.schema))
    engine.dispose()
    assert differences == []
