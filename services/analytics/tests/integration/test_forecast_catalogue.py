"""Forecasting the whole catalogue in the background: requested over the API, worked through
by the worker's job chunk by chunk with readable progress, each chunk taken once."""

from __future__ import annotations

import math
import statistics

import pytest

from analytics.forecast import catalogue
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
