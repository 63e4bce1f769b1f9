"""A key is claimed once per scope: retries replay the first result, racing callers included."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from erp_shared.db import make_engine, utcnow
from erp_shared.errors import Conflict
from erp_shared.idempotency import (
    Replay,
    claim,
    first_time,
    forget,
    idempotency_keys,
    idempotency_metadata,
    remember,
)

pytestmark = pytest.mark.integration

SCOPE = "POST /api/v1/things by ada"


@pytest.fixture
def engine(backend, databases):
    engine = make_engine(databases.new(backend))
    idempotency_metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_a_retry_replays_the_first_result_and_another_request_is_refused(engine):
    with engine.begin() as conn:
        assert first_time(conn, SCOPE, "k-1", {"qty": 1}) is None
        remember(conn, SCOPE, "k-1", "thing-1")
    with engine.begin() as conn:
        assert first_time(conn, SCOPE, "k-1", {"qty": 1}) == Replay("thing-1")
        with pytest.raises(Conflict):
            first_time(conn, SCOPE, "k-1", {"qty": 2})
    with engine.begin() as conn:
        assert first_time(conn, "POST /api/v1/things by bob", "k-1", {"qty": 2}) is None


def test_a_claim_rolled_back_with_its_work_leaves_the_key_free(engine):
    with pytest.raises(RuntimeError), engine.begin() as conn:
        assert first_time(conn, SCOPE, "k-2", {}) is None
        raise RuntimeError("the work failed")
    with engine.begin() as conn:
        assert first_time(conn, SCOPE, "k-2", {}) is None


def test_claiming_many_keys_returns_only_the_new_ones(engine):
    with engine.begin() as conn:
        assert claim(conn, "event", ["e-1", "e-2"]) == {"e-1", "e-2"}
    with engine.begin() as conn:
        assert claim(conn, "event", ["e-2", "e-3", "e-3"]) == {"e-3"}


def test_of_two_racing_requests_with_one_key_one_works_and_the_other_replays(engine):
    outcomes: dict[str, object] = {}
    first_claimed = threading.Event()

    def first():
        with engine.begin() as conn:
            outcomes["first"] = first_time(conn, SCOPE, "k-3", {"qty": 1})
            first_claimed.set()
            time.sleep(0.3)  # the second request arrives while this one still works
            remember(conn, SCOPE, "k-3", "thing-3")

    def second():
        first_claimed.wait(5)
        with engine.begin() as conn:
            outcomes["second"] = first_time(conn, SCOPE, "k-3", {"qty": 1})

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert outcomes == {"first": None, "second": Replay("thing-3")}


def test_old_request_keys_are_forgotten_and_recent_ones_and_other_scopes_kept(engine):
    with engine.begin() as conn:
        claim(conn, SCOPE, ["old", "new"])
        claim(conn, "orders.import", ["web:M-1"])
        conn.execute(
            idempotency_keys.update()
            .where(idempotency_keys.c.key.in_(["old", "web:M-1"]))
            .values(created_at=utcnow() - timedelta(hours=25))
        )
    with engine.begin() as conn:
        assert forget(conn, "POST ", utcnow() - timedelta(hours=24)) == 1
    with engine.begin() as conn:
        assert first_time(conn, SCOPE, "old", {}) is None  # usable again
        assert claim(conn, SCOPE, ["new"]) == set()
        assert claim(conn, "orders.import", ["web:M-1"]) == set()
