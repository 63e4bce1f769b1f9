"""A SQLite database holds customers, orders and password hashes: only the account the
services run as may read it, whatever the umask of the shell that started them."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import text

from erp_shared.db import make_engine


@pytest.fixture
def usual_umask():
    # 022 is what most shells hand a process: files 0644 and folders 0755 unless asked.
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def permissions(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_database_its_journal_and_its_folder_are_the_owner_s_alone(tmp_path, usual_umask):
    folder = tmp_path / "var"
    engine = make_engine(f"sqlite:///{folder}/orders.db")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE customers (name TEXT)"))
        conn.execute(text("INSERT INTO customers VALUES ('Ada')"))
        # While a connection is open the write-ahead log and its index exist beside the file.
        files = sorted(path.name for path in folder.iterdir())
        modes = {name: permissions(folder / name) for name in files}
    engine.dispose()
    assert files == ["orders.db", "orders.db-shm", "orders.db-wal"]
    assert modes == dict.fromkeys(files, 0o600)
    assert permissions(folder) == 0o700


def test_an_existing_database_readable_by_others_is_closed_at_start(tmp_path, usual_umask):
    path = tmp_path / "crm.db"
    path.touch(mode=0o644)
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("SELECT 1"))
    engine.dispose()
    assert permissions(path) == 0o600
