"""Orders placed while the broker is unreachable wait, and are all decided once it is back."""

from __future__ import annotations

import contextlib
import socket
import threading
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from erp_testing import wait_until

pytestmark = pytest.mark.e2e


def _hang_up(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class BrokerLink:
    """A TCP relay between the system and RabbitMQ that the test can cut and restore."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = None
        self.listener = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def restore(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port or 0))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(64)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self):
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                _hang_up(sock)
                sock.close()
            self.sockets.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                _hang_up(sock)


def via(amqp_url: str, port: int) -> str:
    """The same broker URL (credentials, vhost) pointed at the link's local port."""
    broker = urlsplit(amqp_url)
    credentials, _, _ = broker.netloc.rpartition("@")
    address = f"127.0.0.1:{port}"
    return urlunsplit(
        broker._replace(netloc=f"{credentials}@{address}" if credentials else address)
    )


@pytest.fixture
def link(amqp_url):
    broker = urlsplit(amqp_url)
    link = BrokerLink((broker.hostname, broker.port or 5672))
    link.restore()
    yield link
    link.cut()


def test_orders_placed_during_a_broker_outage_are_all_decided_after_it(
    start_system, link, amqp_url
):
    system = start_system(broker_url=via(amqp_url, link.port))
    system.create_stocked_product("DURING-OUTAGE", 6)
    customer_id = system.create_customer()
    warm_up = system.place_first_order(customer_id, "DURING-OUTAGE", 10_000)
    wait_until(lambda: system.settled(warm_up["id"]))

    link.cut()
    wait_until(lambda: httpx.get(f"{system.gateway}/health").status_code == 503, timeout=15)
    placed = [system.place_order(customer_id, "DURING-OUTAGE", 1) for _ in range(10)]
    assert [answer.status_code for answer in placed] == [201] * 10
    ids = [answer.json()["id"] for answer in placed]
    threading.Event().wait(2.0)  # time in which a lost or mis-sent event would show
    assert {system.order(order_id)["status"] for order_id in ids} == {"pending"}

    link.restore()
    decided = system.decisions(ids)
    assert decided.count("confirmed") == 6
    assert decided.count("rejected") == 4
    wait_until(lambda: httpx.get(f"{system.gateway}/health").status_code == 200, timeout=15)
