"""A worker killed outright loses nothing: its replacement decides every waiting order."""

from __future__ import annotations

import os
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from erp_testing import wait_until

pytestmark = pytest.mark.e2e


def kill_outright(pid: int) -> tuple[list[bytes], dict, str]:
    """SIGKILL a process, returning what it takes to start it again exactly as erpctl did."""
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")
    environ = dict(
        entry.split(b"=", 1)
        for entry in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        if b"=" in entry
    )
    cwd = os.readlink(f"/proc/{pid}/cwd")
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not Path(f"/proc/{pid}").exists() or _zombie(pid))
    return argv, environ, cwd


def _zombie(pid: int) -> bool:
    return " Z " in Path(f"/proc/{pid}/stat").read_text()


def test_orders_waiting_for_a_killed_inventory_worker_are_decided_by_its_replacement(
    start_system,
):
    system = start_system()
    system.create_stocked_product("CRASH", 5)
    customer_id = system.create_customer()
    warm_up = system.place_first_order(customer_id, "CRASH", 10_000)
    wait_until(lambda: system.settled(warm_up["id"]))

    # Killed right after a burst, so it may die between committing a lot and acking it.
    with ThreadPoolExecutor(max_workers=4) as pool:
        burst = list(pool.map(lambda _: system.place_order(customer_id, "CRASH", 1), range(4)))
    pid_file = system.var_dir / "run" / "inventory-worker.pid"
    argv, environ, cwd = kill_outright(int(pid_file.read_text()))

    while_dead = [system.place_order(customer_id, "CRASH", 1).json()["id"] for _ in range(4)]
    assert {system.order(order_id)["status"] for order_id in while_dead} == {"pending"}

    with open(system.var_dir / "log" / "inventory-worker.log", "ab") as log:
        replacement = subprocess.Popen(
            argv, env=environ, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    pid_file.write_text(str(replacement.pid))

    decided = system.decisions([answer.json()["id"] for answer in burst] + while_dead)
    assert decided.count("confirmed") == 5
    assert decided.count("rejected") == 3
    stock = system.stock("CRASH")
    assert (stock["on_hand"], stock["reserved"]) == (5, 5)
