"""Orders through every kind of life, driven through the gateway while faults happen, then
the system left to drain and the invariants of docs/architecture.md checked
(erp_testing.invariants).

A shopper behaves as a careful client does: every creating POST carries an Idempotency-Key
and is retried with it until answered; a transition (cancel, ship, deliver, receive) is
retried too, and a 409 then means the first try had done it. Refusals are part of the mix:
orders for more than is left are rejected, a cancel may come after the order was decided.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from erp_testing import wait_for
from erp_testing.invariants import Databases, Finding, check, drained
from erp_testing.system import System

# How often each life is chosen: the order's way from placement to its last step.
LIVES = {
    "decided": 3,  # placed, confirmed or rejected, left so
    "cancelled at once": 1,  # cancelled while perhaps still pending
    "cancelled after confirmation": 1,
    "shipped and delivered": 2,
    "refunded": 1,  # shipped, delivered, one unit returned for a credit note
    "exchanged": 1,  # shipped, delivered, one unit returned for a replacement order
}
TRANSIENT = {429, 502, 503, 504}
PATIENCE = 120.0  # how long a shopper keeps retrying one request, or waits for a decision


@dataclass
class Tally:
    """What the load did, as the clients saw it."""

    placed: set[str] = field(default_factory=set)
    lives: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)
    retries: int = 0
    # Answers that were neither a result nor a refusal: (method path, status, request id, body).
    failures: list[tuple[str, int, str, str]] = field(default_factory=list)
    # (when it was answered, how long it took) of every answered request, for percentiles.
    latencies: list[tuple[float, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


class Badge:
    """One admin sign-in that every shopper shows, renewed when the gateway refuses it: as
    many sign-ins as shoppers would soon meet the login rate limit."""

    def __init__(self, system: System):
        self.system = system
        self.token = ""
        self.lock = threading.Lock()

    def current(self) -> str:
        with self.lock:
            if not self.token:
                self.token = self.system.sign_in()
            return self.token

    def renew(self, refused: str) -> None:
        with self.lock:
            if self.token == refused:
                self.token = self.system.sign_in()


class Shopper:
    """One client of the gateway, signed in as an admin (sales and warehouse at once)."""

    def __init__(self, system: System, tally: Tally, badge: Badge):
        self.http = httpx.Client(base_url=f"{system.gateway}/api/v1", timeout=30)
        self.tally = tally
        self.badge = badge

    def call(self, method: str, path: str, body=None, key: str | None = None) -> httpx.Response:
        """The request, retried through faults until it gets an answer that is not one."""
        deadline = time.monotonic() + PATIENCE
        tries = 0
        while True:
            token = self.badge.current()
            headers = {"Authorization": f"Bearer {token}"}
            if key:
                headers["Idempotency-Key"] = key
            sent = time.monotonic()
            try:
                answer = self.http.request(method, path, json=body, headers=headers)
            except httpx.TransportError:
                answer = None
            else:
                answered = time.monotonic()
                self.tally.latencies.append((answered, answered - sent))
            if answer is not None and answer.status_code == 401:
                self.badge.renew(token)
                continue
            if answer is not None and answer.status_code not in TRANSIENT:
                if answer.status_code >= 500:
                    request_id = answer.headers.get("X-Request-ID", "")
                    with self.tally.lock:
                        self.tally.failures.append(
                            (f"{method} {path}", answer.status_code, request_id, answer.text[:300])
                        )
                if tries:
                    self.tally.add(retries=tries)
                return answer
            if time.monotonic() > deadline:
                raise RuntimeError(f"{method} {path}: no answer in {PATIENCE:.0f}s")
            tries += 1
            time.sleep(min(0.1 * 2**tries, 2.0))

    def move(self, path: str, body=None) -> None:
        """A transition. Its refusal is an answer too (a cancel after shipping is refused; a
        409 after a retry means the first try had done it): the invariants judge the end."""
        self.call("POST", path, body if body is not None else {})

    def decision(self, order_id: str) -> str:
        def decided():
            status = self.call("GET", f"/orders/{order_id}").json()["status"]
            return status if status != "pending" else None

        return wait_for(decided, timeout=PATIENCE, interval=0.2) or "pending"

    def live(self, kind: str, customer_id: str, skus: list[str]) -> None:
        lines = [
            {"sku": sku, "quantity": random.randint(1, 3)}
            for sku in random.sample(skus, random.randint(1, 3))
        ]
        body = {"customer_id": customer_id, "channel": "web", "lines": lines}
        placed = self.call("POST", "/orders", body, key=str(uuid.uuid4()))
        if placed.status_code != 201:
            raise RuntimeError(f"placing an order: {placed.status_code} {placed.text[:300]}")
        order_id = placed.json()["id"]
        with self.tally.lock:
            self.tally.placed.add(order_id)
            self.tally.lives[kind] += 1
        if kind == "cancelled at once":
            self.move(f"/orders/{order_id}/cancel")
            return self._end(order_id)
        if self.decision(order_id) != "confirmed" or kind == "decided":
            return self._end(order_id)
        if kind == "cancelled after confirmation":
            self.move(f"/orders/{order_id}/cancel")
            return self._end(order_id)
        self.move(f"/orders/{order_id}/ship")
        self.move(f"/orders/{order_id}/deliver")
        if kind in ("refunded", "exchanged"):
            self._return_one(order_id, lines[0]["sku"], kind)
        self._end(order_id)

    def _return_one(self, order_id: str, sku: str, kind: str) -> None:
        resolution = "refund" if kind == "refunded" else "exchange"
        asked = {"order_id": order_id, "resolution": resolution}
        asked["lines"] = [{"sku": sku, "quantity": 1, "reason": "chaos"}]
        requested = self.call("POST", "/returns", asked, key=str(uuid.uuid4()))
        if requested.status_code == 201:
            got = {"lines": [{"sku": sku, "quantity": 1, "condition": "resellable"}]}
            self.move(f"/returns/{requested.json()['id']}/receive", got)

    def _end(self, order_id: str) -> None:
        status = self.call("GET", f"/orders/{order_id}").json()["status"]
        self.tally.outcomes[status] += 1


def stock_the_shelves(system: System, skus: int, units: int, customers: int) -> tuple[list, list]:
    """Products with `units` each in stock, and customers, known to the orders service."""
    tag = uuid.uuid4().hex[:6].upper()
    names = [f"CH{tag}-{n}" for n in range(skus)]
    for sku in names:
        system.create_stocked_product(sku, units, price=f"{random.randint(5, 90)}.50")
    buyers = [system.create_customer() for _ in range(customers)]
    for sku in names:  # until orders has heard of each product and the customers
        first = system.place_first_order(buyers[-1], sku, 1)
        system.decisions([first["id"]])
    return names, buyers


def drive(
    system: System, orders: int, concurrency: int, skus: list[str], customers: list[str]
) -> Tally:
    """`orders` lives of random kinds, `concurrency` at a time."""
    tally, badge = Tally(), Badge(system)
    kinds = random.choices(list(LIVES), weights=list(LIVES.values()), k=orders)
    local = threading.local()

    def one(kind: str) -> None:
        if not hasattr(local, "shopper"):
            local.shopper = Shopper(system, tally, badge)
        local.shopper.live(kind, random.choice(customers), skus)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for done in [pool.submit(one, kind) for kind in kinds]:
            done.result()
    return tally


@dataclass
class Verdict:
    tally: Tally
    findings: list[Finding]
    drain_seconds: float
    faults: list[str]

    @property
    def held(self) -> bool:
        return all(finding.held for finding in self.findings)

    def report(self) -> str:
        lines = [
            f"lives {dict(self.tally.lives)}",
            f"final statuses {dict(self.tally.outcomes)}, retried requests {self.tally.retries}",
            f"faults ({len(self.faults)}): {'; '.join(self.faults)}",
            f"drained in {self.drain_seconds:.1f}s",
            *(
                f"server error: {call} answered {status}, request id {request_id}: {body}"
                for call, status, request_id, body in self.tally.failures
            ),
            *map(str, self.findings),
        ]
        return "\n".join(lines)


def verdict(system: System, amqp_url: str, tally: Tally, faults: list[str]) -> Verdict:
    """Wait until the system has drained (at most 5 minutes), then check every invariant."""
    databases = Databases(system)
    try:
        started = time.monotonic()
        wait_for(lambda: drained(system, amqp_url, databases), timeout=300, interval=1.0)
        time.sleep(2.0)  # the analytics worker may still be applying its last batch
        drain = time.monotonic() - started
        return Verdict(tally, check(system, amqp_url, tally.placed, databases), drain, faults)
    finally:
        databases.close()


def chaos_run(
    system: System,
    amqp_url: str,
    orders: int,
    faults: Callable[[threading.Event], list[str]],
    concurrency: int = 12,
) -> Verdict:
    """Stock, drive `orders` lives while `faults` runs in a thread until the load ends, then
    judge. `faults` returns what it did."""
    skus, customers = stock_the_shelves(system, skus=12, units=orders // 6, customers=8)
    done = threading.Event()
    happened: list[str] = []
    broke: list[BaseException] = []

    def inject() -> None:
        try:
            happened.extend(faults(done))
        except Exception as exc:  # a round whose faults stopped proves nothing: say so
            broke.append(exc)

    injector = threading.Thread(target=inject, daemon=True)
    injector.start()
    try:
        tally = drive(system, orders, concurrency, skus, customers)
    finally:
        done.set()
        injector.join()
    if broke:
        raise RuntimeError(f"the fault injector stopped: {broke[0]!r}") from broke[0]
    return verdict(system, amqp_url, tally, happened)
