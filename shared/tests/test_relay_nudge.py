"""An app that commits events tells its service's relays at once (one UDP datagram each), and
a worker's relay hears it on its status port; nothing is told of a rollback or of a commit
that wrote no event."""

from __future__ import annotations

import socket
import threading

import pytest

from erp_shared import nudge
from erp_shared.db import make_engine
from erp_shared.messaging import messaging_metadata
from erp_shared.uow import UnitOfWork
from erp_testing import bearer, service_app, wait_until


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'nudge.db'}")
    messaging_metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def relay_port():
    """A UDP socket standing in for a worker's relay: the datagrams an app sends it."""
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(5)
    yield receiver
    receiver.close()


def test_a_commit_that_wrote_events_announces_once_and_nothing_else_does(engine):
    told = []
    with UnitOfWork(engine, "crm", announce=lambda: told.append(1)) as uow:
        uow.emit("customer.erased", {"customer_id": "a"})
        uow.emit("customer.erased", {"customer_id": "b"})
    assert told == [1]
    with pytest.raises(RuntimeError), UnitOfWork(engine, "crm", announce=told.append) as uow:
        uow.emit("customer.erased", {"customer_id": "c"})
        raise RuntimeError("refused")
    with UnitOfWork(engine, "crm", announce=told.append):
        pass
    assert told == [1]


def test_an_app_nudges_its_relays_as_it_commits_events(tmp_path, relay_port):
    address = f"127.0.0.1:{relay_port.getsockname()[1]}"
    app = service_app("inventory", f"sqlite:///{tmp_path / 'inventory.db'}", relay_nudge=(address,))
    product = {"sku": "PEN", "name": "Pen", "unit_price": "2.00"}
    made = app.test_client().post("/api/v1/products", json=product, headers=bearer(["warehouse"]))
    assert made.status_code == 201
    assert relay_port.recv(64) == nudge.NUDGE


def test_a_worker_hears_a_nudge_on_its_status_port(relay_port):
    port = relay_port.getsockname()[1]
    relay_port.close()  # the port is free again for the worker's listener
    heard, stop = threading.Event(), threading.Event()
    nudge.listen(port, heard.set, stop)
    try:
        nudge.RelayNudger([f"127.0.0.1:{port}"])()
        wait_until(heard.is_set, timeout=5)
    finally:
        stop.set()
