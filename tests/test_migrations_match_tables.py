"""Each service's migrations build the tables, columns, indexes and keys its code declares,
on both backends (Alembic's comparison does not look at CHECK constraints)."""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from erp_shared.messaging import messaging_metadata
from erp_shared.testing import migrated_engine

pytestmark = pytest.mark.integration

PACKAGES = {
    "gateway": False,
    "crm": True,
    "orders": True,
    "inventory": True,
    "analytics": True,
}


@pytest.mark.parametrize("package", PACKAGES)
def test_migrating_to_head_leaves_nothing_for_autogenerate(package, backend, databases):
    engine = migrated_engine(package, databases.new(backend))
    declared = [importlib.import_module(f"{package}.db").metadata]
    if PACKAGES[package]:
        declared.append(messaging_metadata)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), declared)
    engine.dispose()
    assert differences == []
