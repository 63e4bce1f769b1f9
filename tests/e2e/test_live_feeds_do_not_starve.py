"""Live order feeds cannot starve the system (issue 19, finding 3).

One customer opening many feeds of its order gets a few and 429 for the rest; all users
together get no more than a process's feed slots and 503 beyond; meanwhile an admin's
product reads and the gateway's liveness probe each answer within a second, and a feed its
client closes frees its slot.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from erp_shared.config import ServerSettings
from erp_testing import bearer, unique, wait_for, wait_until

pytestmark = pytest.mark.e2e

BURST = 32
ANSWER_BOUND = 1.0


def customer(name: str, customer_id: str) -> dict:
    return bearer(roles=("customer",), subject=name, customer_id=customer_id)


class Reader(threading.Thread):
    """An admin reading a product and a probe asking /health/live, over and over, noting
    the slowest answer of each (a request that never answers counts as the timeout)."""

    def __init__(self, system, sku: str):
        super().__init__(daemon=True)
        self.http = httpx.Client(base_url=system.gateway, timeout=10)
        self.auth = system.auth
        self.sku = sku
        self.slowest = {"product": 0.0, "live": 0.0}
        self.failures: list[str] = []
        self.finished = threading.Event()
        self._lock = threading.Lock()

    def timed(self, name: str, path: str, headers: dict) -> None:
        started = time.monotonic()
        try:
            status = self.http.get(path, headers=headers).status_code
        except httpx.HTTPError as error:
            status = type(error).__name__
        took = time.monotonic() - started
        with self._lock:
            self.slowest[name] = max(self.slowest[name], took)
            if status != 200:
                self.failures.append(f"{path}: {status}")

    def run(self) -> None:
        while not self.finished.is_set():
            self.timed("product", f"/api/v1/products/{self.sku}", self.auth)
            self.timed("live", "/health/live", {})
            time.sleep(0.1)

    def stop(self) -> dict:
        self.finished.set()
        self.join()
        self.http.close()
        return self.slowest


class Feeds:
    """Live feeds held open by their clients until closed."""

    def __init__(self, system, order_id: str):
        self.url = f"{system.gateway}/api/v1/orders/{order_id}/events"
        self.http = httpx.Client(timeout=10, limits=httpx.Limits(max_connections=None))
        self.open: list[httpx.Response] = []
        self._lock = threading.Lock()

    def start(self, headers: dict) -> httpx.Response:
        answer = self.http.send(
            self.http.build_request("GET", self.url, headers=headers), stream=True
        )
        if answer.status_code == 200:
            next(answer.iter_raw())  # the feed has begun: its slots are taken
            with self._lock:
                self.open.append(answer)
        else:
            answer.read()
            answer.close()
        return answer

    def start_many(self, headers_each: list[dict]) -> list[httpx.Response]:
        with ThreadPoolExecutor(len(headers_each)) as pool:
            return list(pool.map(self.start, headers_each))

    def close(self, answers: list[httpx.Response]) -> None:
        for answer in answers:
            answer.close()
            self.open.remove(answer)

    def close_all(self) -> None:
        self.close(list(self.open))
        self.http.close()


def refused_as(answer: httpx.Response, status: int) -> bool:
    return (
        answer.status_code == status
        and answer.headers["Content-Type"].startswith("application/problem+json")
        and answer.json()["status"] == status
        and int(answer.headers["Retry-After"]) >= 1
    )


@pytest.fixture
def followed_order(system):
    sku = unique("FEED-")
    system.create_stocked_product(sku, 5)
    customer_id = system.create_customer()
    order = system.place_first_order(customer_id, sku, 1)
    assert wait_until(lambda: system.settled(order["id"]), timeout=20)["status"] == "confirmed"
    return sku, customer_id, order["id"]


def test_many_live_feeds_of_one_customer_leave_everyone_else_answered(system, followed_order):
    sku, customer_id, order_id = followed_order
    caps = ServerSettings.from_env()  # the system inherits this environment
    feeds = Feeds(system, order_id)
    reader = Reader(system, sku)
    reader.start()
    try:
        greedy = customer("greedy", customer_id)
        answers = feeds.start_many([greedy] * BURST)
        mine = [a for a in answers if a.status_code == 200]
        assert len(mine) == caps.live_feeds_per_user
        assert all(refused_as(a, 429) for a in answers if a.status_code != 200), [
            (a.status_code, a.headers.get("Retry-After"), a.headers.get("Content-Type"))
            for a in answers
        ]

        # Colleagues of the same customer take every other slot the gateway has; one more
        # feed, from anyone, is one too many for the process.
        others = caps.live_feeds - caps.live_feeds_per_user
        colleagues = [
            customer(f"colleague-{n // caps.live_feeds_per_user}", customer_id)
            for n in range(others)
        ]
        assert all(a.status_code == 200 for a in feeds.start_many(colleagues))
        assert refused_as(feeds.start(customer("late", customer_id)), 503)

        # With every feed slot taken, the others still get their answers.
        for _ in range(10):
            reader.timed("product", f"/api/v1/products/{sku}", system.auth)
            reader.timed("live", "/health/live", {})

        feeds.close(mine)
        reopened = wait_for(
            lambda: feeds.start(greedy).status_code == 200, timeout=15, interval=0.5
        )
        assert reopened, "a closed feed's slot was not given back"
    finally:
        slowest = reader.stop()
        feeds.close_all()
    assert not reader.failures
    assert slowest["product"] < ANSWER_BOUND and slowest["live"] < ANSWER_BOUND, slowest
