"""Forecasting the whole catalogue in the background: requested over the API, worked through
by the worker's job chunk by chunk with readable progress, each chunk taken once, and the
chunks of a worker that died taken over by another after a timeout."""

from __future__ import annotations

import math
import statistics
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from analytics.forecast import catalogue
from analytics.tables import forecast_runs
from erp_testing import bearer, months_back, service_app
from erp_testing.scrape import sample

pytestmark = pytest.mark.integration

SKUS = [f"SKU-{n:02d}" for n in range(12)]


@pytest.fixture
def app(backend, databases):
    app = service_app("analytics", databases.new(backend))
    lines = [
        {
            "date": day.isoformat(),
            "sku": sku,
            "quantity": round(20 + n + k + 8 * math.sin(2 * math.pi * day.month / 12)),
        }
        for k, sku in enumerate(SKUS)
        for n, day in enumerate(months_back(30))
    ]
    answer = app.test_client().post(
        "/api/v1/analytics/history", json={"batch_id": "past", "lines": lines}, headers=bearer()
    )
    assert answer.status_code == 200, answer.json
    return app


def test_a_run_is_queued_then_worked_through_in_chunks_with_progress(app, monkeypatch):
    client = app.test_client()
    asked = client.post("/api/v1/analytics/forecast/runs", json={"horizon": 3}, headers=bearer())
    assert asked.status_code == 202, asked.json
    assert (asked.json["status"], asked.json["total"], asked.json["done"]) == ("queued", 12, 0)
    location = asked.headers["Location"]

    engine, settings = app.extensions["erp_engine"], app.extensions["erp_settings"]
    monkeypatch.setattr(catalogue, "CHUNK", 5)
    assert catalogue.step(engine, settings)
    halfway = client.get(location, headers=bearer()).json
    assert (halfway["status"], halfway["done"]) == ("running", 5)

    catalogue.work_on_runs(engine, settings)
    finished = client.get(location, headers=bearer()).json
    assert (finished["status"], finished["done"]) == ("done", 12)
    assert finished["finished_at"] >= finished["started_at"]

    page = client.get(f"{location}/items?per_page=10&page=2", headers=bearer()).json
    assert page["total"] == 12
    assert [item["sku"] for item in page["items"]] == SKUS[10:]
    for item in page["items"]:
        assert len(item["points"]) == 3
        assert all(p["lower"] <= p["forecast"] <= p["upper"] for p in item["points"])
        assert item["backtest"]["baseline_mase"] is not None

    every = client.get(f"{location}/items?per_page=100", headers=bearer()).json["items"]
    median = statistics.median(item["backtest"]["smape"] for item in every)
    reported = sample(client, "erp_forecast_backtest_mape", service="analytics")
    assert reported == pytest.approx(median)


def test_a_chunk_is_claimed_by_one_worker_only(app):
    client = app.test_client()
    run = client.post("/api/v1/analytics/forecast/runs", json={}, headers=bearer()).json
    engine = app.extensions["erp_engine"]
    with engine.begin() as conn:
        first = catalogue.db.claim_chunk(conn, run["id"], "", "SKU-04", None)
        second = catalogue.db.claim_chunk(conn, run["id"], "", "SKU-04", None)
    assert (first, second) == (True, False)


def test_an_unknown_run_is_404_and_a_bad_horizon_422(app):
    client = app.test_client()
    assert client.get("/api/v1/analytics/forecast/runs/nope", headers=bearer()).status_code == 404
    bad = client.post("/api/v1/analytics/forecast/runs", json={"horizon": 0}, headers=bearer())
    assert bad.status_code == 422


@pytest.fixture
def work(app):
    """The analytics worker's job (another worker than the one that died), until it waits."""
    engine, settings = app.extensions["erp_engine"], app.extensions["erp_settings"]
    yield lambda: catalogue.work_on_runs(engine, settings)
    catalogue.close_pool()


def dies_mid_chunk(app, run_id: str, after: str, through: str) -> None:
    """A worker claims the SKUs after `after` through `through` and dies before saving."""
    with app.extensions["erp_engine"].begin() as conn:
        assert catalogue.db.claim_chunk(conn, run_id, after, through, datetime.now(UTC))


def time_passes(app, run_id: str, duration: timedelta) -> None:
    """The run last progressed `duration` earlier than it did."""
    with app.extensions["erp_engine"].begin() as conn:
        progressed = (
            conn.execute(forecast_runs.select().where(forecast_runs.c.id == run_id))
            .one()
            .progressed_at
        )
        conn.execute(
            update(forecast_runs)
            .where(forecast_runs.c.id == run_id)
            .values(progressed_at=progressed - duration)
        )


def test_the_chunk_of_a_worker_that_died_is_taken_over_after_the_timeout(app, work, monkeypatch):
    client = app.test_client()
    location = client.post(
        "/api/v1/analytics/forecast/runs", json={"horizon": 3}, headers=bearer()
    ).headers["Location"]
    monkeypatch.setattr(catalogue, "CHUNK", 5)
    dies_mid_chunk(app, location.rsplit("/", 1)[1], "", "SKU-04")

    work()  # the other chunks; SKU-00 to SKU-04 may still be worked on
    waiting = client.get(location, headers=bearer()).json
    assert (waiting["status"], waiting["done"]) == ("running", 7)

    time_passes(app, waiting["id"], catalogue.ABANDONED_AFTER + timedelta(seconds=1))
    work()
    finished = client.get(location, headers=bearer()).json
    assert (finished["status"], finished["done"], finished["total"]) == ("done", 12, 12)
    items = client.get(f"{location}/items?per_page=100", headers=bearer()).json["items"]
    assert [item["sku"] for item in items] == SKUS
    assert all(len(item["points"]) == 3 for item in items)


def test_a_chunk_still_being_worked_on_is_not_taken_over(app, work):
    client = app.test_client()
    run = client.post("/api/v1/analytics/forecast/runs", json={}, headers=bearer()).json
    dies_mid_chunk(app, run["id"], "", SKUS[-1])
    time_passes(app, run["id"], catalogue.ABANDONED_AFTER - timedelta(minutes=1))

    work()
    location = f"/api/v1/analytics/forecast/runs/{run['id']}"
    still = client.get(location, headers=bearer()).json
    assert (still["status"], still["done"]) == ("running", 0)
    assert client.get(f"{location}/items", headers=bearer()).json["total"] == 0


def test_a_stale_run_is_taken_over_by_one_worker_only(app):
    client = app.test_client()
    run = client.post("/api/v1/analytics/forecast/runs", json={}, headers=bearer()).json
    dies_mid_chunk(app, run["id"], "", SKUS[-1])
    time_passes(app, run["id"], timedelta(hours=1))
    now = datetime.now(UTC)
    with app.extensions["erp_engine"].begin() as conn:
        first = catalogue.db.take_over(conn, run["id"], now - catalogue.ABANDONED_AFTER, now)
        second = catalogue.db.take_over(conn, run["id"], now - catalogue.ABANDONED_AFTER, now)
    assert (first, second) == (True, False)


def test_a_slow_worker_saving_after_being_taken_over_counts_nothing_twice(app, work):
    client = app.test_client()
    run = client.post("/api/v1/analytics/forecast/runs", json={"horizon": 2}, headers=bearer()).json
    dies_mid_chunk(app, run["id"], "", SKUS[-1])
    time_passes(app, run["id"], timedelta(hours=1))
    work()

    late = [
        {"sku": sku, "method": "slow", "mase": None, "smape": None, "baseline_mase": None}
        | {"points": []}
        for sku in SKUS[:4]
    ]
    with app.extensions["erp_engine"].begin() as conn:
        catalogue.db.save_results(conn, run["id"], late, datetime.now(UTC))
    location = f"/api/v1/analytics/forecast/runs/{run['id']}"
    finished = client.get(location, headers=bearer()).json
    assert (finished["status"], finished["done"], finished["total"]) == ("done", 12, 12)
    items = client.get(f"{location}/items?per_page=100", headers=bearer()).json
    assert items["total"] == 12
    assert "slow" not in {item["method"] for item in items["items"]}


def test_a_stale_run_that_can_never_reach_its_total_is_failed(app, work):
    """Every SKU there is was forecast, yet the run counted one more (since gone)."""
    client = app.test_client()
    run = client.post("/api/v1/analytics/forecast/runs", json={}, headers=bearer()).json
    with app.extensions["erp_engine"].begin() as conn:
        conn.execute(update(forecast_runs).where(forecast_runs.c.id == run["id"]).values(total=13))
    work()
    time_passes(app, run["id"], timedelta(hours=1))
    work()
    failed = client.get(f"/api/v1/analytics/forecast/runs/{run['id']}", headers=bearer()).json
    assert (failed["status"], failed["done"]) == ("failed", 12)
