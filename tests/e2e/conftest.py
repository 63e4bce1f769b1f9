"""The real system for end-to-end tests, from erp_testing.system (the benchmark uses it too)."""

from __future__ import annotations

import contextlib

import pytest

from erp_testing import unique
from erp_testing.system import running_system


@pytest.fixture(scope="module")
def system(tmp_path_factory, amqp_url):
    """One system on SQLite shared by a module's tests; each uses its own products."""
    with running_system(tmp_path_factory.mktemp("system"), amqp_url) as system:
        yield system


@pytest.fixture
def start_system(tmp_path, databases, amqp_url):
    """Returns a function that starts the system on the given backend and broker URL."""
    with contextlib.ExitStack() as stack:

        def start(backend: str = "sqlite", broker_url: str | None = None, **extra):
            new_database = (
                (lambda: databases.new("postgresql")) if backend == "postgresql" else None
            )
            var_dir = tmp_path / unique("var-")
            return stack.enter_context(
                running_system(var_dir, amqp_url, new_database, broker_url, **extra)
            )

        yield start
