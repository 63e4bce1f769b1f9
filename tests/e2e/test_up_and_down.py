"""`make up` leaves every process ready; `make down` leaves none behind."""

from __future__ import annotations

import os
import socket

import pytest

from erp_shared.config import APPS, SERVICES

pytestmark = pytest.mark.e2e


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_down_stops_every_process_that_up_started(start_system):
    system = start_system()
    pids = {p.stem: int(p.read_text()) for p in (system.var_dir / "run").glob("*.pid")}
    assert set(pids) == {*APPS, *(f"{s}-worker" for s in SERVICES), "gateway-webhooks"}
    assert all(alive(pid) for pid in pids.values())

    system.ctl("down")

    assert not [name for name, pid in pids.items() if alive(pid)]
    assert not [s for s in APPS if listening(system.port(s))]
    assert list((system.var_dir / "run").glob("*.pid")) == []
