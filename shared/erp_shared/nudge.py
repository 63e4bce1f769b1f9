"""Telling a service's outbox relays that its HTTP side has just committed events.

The relay runs in the worker, another process; left alone it looks at the outbox on a back-off
of up to half a second, so an order placed over HTTP waited that long before inventory heard
of it. As a unit of work that wrote events commits, the app sends one UDP datagram to each
relay's status port, and the relay looks at once. A datagram costs microseconds and needs no
connection; one that is lost (no worker listening, a full buffer) costs nothing but the wait
the relay would have had anyway, so the outbox stays the only thing delivery relies on.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable, Iterable

log = logging.getLogger(__name__)
NUDGE = b"outbox"


class RelayNudger:
    """Sends a nudge to every relay address given as host:port. A name is looked up at the
    first nudge that finds it (a worker may start after its app) and then kept."""

    def __init__(self, addresses: Iterable[str]):
        self.addresses = [_host_and_port(text) for text in addresses]
        self._resolved: dict[tuple[str, int], tuple[str, int]] = {}
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.setblocking(False)

    def __call__(self) -> None:
        for host, port in self.addresses:
            with contextlib.suppress(OSError):
                if (host, port) not in self._resolved:
                    self._resolved[host, port] = (socket.gethostbyname(host), port)
                self._socket.sendto(NUDGE, self._resolved[host, port])


def _host_and_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise RuntimeError(f"ERP_RELAY_NUDGE: {text!r} is not host:port")
    return host, int(port)


def listen(port: int, nudge: Callable[[], None], stop: threading.Event) -> threading.Thread:
    """Calls `nudge` for every datagram that reaches `port` until `stop` is set. Anyone may
    send one: the worst it does is make the relay look at its outbox once more."""
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # All interfaces, like the status port: in a container the apps are on other hosts.
    receiver.bind(("0.0.0.0", port))  # nosec B104
    receiver.settimeout(0.5)

    def loop() -> None:
        with receiver:
            while not stop.is_set():
                try:
                    receiver.recv(64)
                except TimeoutError:
                    continue
                except OSError:
                    log.exception("relay nudges stopped")
                    return
                nudge()

    thread = threading.Thread(target=loop, name="relay nudges", daemon=True)
    thread.start()
    return thread
