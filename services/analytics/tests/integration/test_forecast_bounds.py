"""Catalogue forecasts are bounded background work: asking again for a scope already waiting
adds no run, a run whose worker died is taken over and finished instead of holding back
every later run, and the forecasting processes take no more cores than the container has, at
a lower priority than the services."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import func, select

from analytics.forecast import catalogue
from analytics.tables import forecast_runs
from erp_shared.db import make_engine
from erp_shared.migrate import alembic_config
from erp_shared.uow import UnitOfWork
from erp_testing import bearer, months_back, service_app

pytestmark = pytest.mark.integration

SKUS = [f"SKU-{n:02d}" for n in range(4)]
RUNS = "/api/v1/analytics/forecast/runs"


@pytest.fixture
def app(backend, databases):
    app = service_app("analytics", databases.new(backend))
    lines = [
        {"date": day.isoformat(), "sku": sku, "quantity": 10 + n}
        for sku in SKUS
        for n, day in enumerate(months_back(14))
    ]
    answer = app.test_client().post(
        "/api/v1/analytics/history", json={"batch_id": "past", "lines": lines}, headers=bearer()
    )
    assert answer.status_code == 200, answer.json
    return app


@pytest.fixture
def closing_pool():
    """The forecasting processes a test starts end with it."""
    yield
    catalogue.close_pool()


@pytest.fixture
def work(app, closing_pool):
    """The analytics worker's job, run until it waits."""
    engine, settings = app.extensions["erp_engine"], app.extensions["erp_settings"]
    return lambda: catalogue.work_on_runs(engine, settings)


def run_count(app) -> int:
    with app.extensions["erp_engine"].connect() as conn:
        return conn.execute(select(func.count()).select_from(forecast_runs)).scalar_one()


def test_asking_again_for_a_scope_queued_or_running_answers_that_run(app, work):
    client = app.test_client()
    first = client.post(RUNS, json={"horizon": 3}, headers=bearer())
    again = client.post(RUNS, json={"horizon": 3}, headers=bearer(subject="someone-else"))
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json["id"] == first.json["id"]
    assert again.headers["Location"] == first.headers["Location"]
    other_scope = client.post(RUNS, json={"horizon": 3, "granularity": "week"}, headers=bearer())
    assert other_scope.json["id"] != first.json["id"]
    assert run_count(app) == 2

    engine, settings = app.extensions["erp_engine"], app.extensions["erp_settings"]
    catalogue.step(engine, settings)  # the first run's only chunk, taken and done
    assert client.get(first.headers["Location"], headers=bearer()).json["status"] == "done"
    after = client.post(RUNS, json={"horizon": 3}, headers=bearer())
    assert after.json["id"] != first.json["id"]
    assert after.json["status"] == "queued"
    assert run_count(app) == 3


def claim_every_sku(app, run_id: str, at: datetime) -> None:
    """A worker takes the run's only chunk at `at` and dies before saving it."""
    with app.extensions["erp_engine"].begin() as conn:
        assert catalogue.db.claim_chunk(conn, run_id, "", SKUS[-1], at)


def test_a_run_whose_worker_died_mid_chunk_is_taken_over_and_later_runs_go_on(app, work):
    client = app.test_client()
    lost = client.post(RUNS, json={"horizon": 2}, headers=bearer()).json
    claim_every_sku(app, lost["id"], datetime.now(UTC) - timedelta(hours=1))
    later = client.post(RUNS, json={"horizon": 4}, headers=bearer()).json

    work()
    lost_now = client.get(f"{RUNS}/{lost['id']}", headers=bearer()).json
    assert (lost_now["status"], lost_now["done"]) == ("done", len(SKUS))
    assert lost_now["finished_at"] is not None
    later_now = client.get(f"{RUNS}/{later['id']}", headers=bearer()).json
    assert (later_now["status"], later_now["done"]) == ("done", len(SKUS))


def test_a_chunk_still_being_worked_on_is_waited_for(app, work):
    client = app.test_client()
    run = client.post(RUNS, json={"horizon": 2}, headers=bearer()).json
    claim_every_sku(app, run["id"], datetime.now(UTC))
    work()
    assert client.get(f"{RUNS}/{run['id']}", headers=bearer()).json["status"] == "running"


def test_the_forecasting_processes_run_at_a_lower_priority_than_the_worker(closing_pool):
    niceness = catalogue._pool().submit(os.nice, 0).result()
    assert niceness > os.nice(0)


@pytest.mark.parametrize(
    "cpu_max,cores",
    [
        ("100000 100000\n", 1),
        ("150000 100000\n", 1),
        ("50000 100000\n", 1),
        ("max 100000\n", None),
        ("100000000 100000\n", None),
        (None, None),
    ],
)
def test_the_pool_is_sized_by_the_container_cpu_limit(
    tmp_path, monkeypatch, closing_pool, cpu_max, cores
):
    limit = tmp_path / "cpu.max"
    if cpu_max is not None:
        limit.write_text(cpu_max)
    monkeypatch.setattr(catalogue, "CPU_MAX", limit)
    for v1 in ("CPU_QUOTA_V1", "MEMORY_MAX", "MEMORY_LIMIT_V1"):
        monkeypatch.setattr(catalogue, v1, tmp_path / "none")
    cores = cores or len(os.sched_getaffinity(0))
    assert catalogue.cores_allowed() == cores
    assert catalogue._pool()._max_workers == cores


@pytest.mark.parametrize(
    "memory,processes",
    [
        (str(256 * 2**20), 1),  # the worker's old limit: one process, not one per core
        (str(1024 * 2**20), 4),
        (str(768 * 2**20), 3),
        ("9223372036854771712", 16),  # v1 without a limit
    ],
)
def test_the_pool_fits_the_container_memory_limit(
    tmp_path, monkeypatch, closing_pool, memory, processes
):
    """cgroup v1 files (this machine's), a 16-core quota: the memory limit decides."""
    (tmp_path / "quota").write_text("1600000\n")
    (tmp_path / "period").write_text("100000\n")
    (tmp_path / "limit").write_text(memory + "\n")
    monkeypatch.setattr(catalogue, "CPU_MAX", tmp_path / "none")
    monkeypatch.setattr(catalogue, "MEMORY_MAX", tmp_path / "none")
    monkeypatch.setattr(catalogue, "CPU_QUOTA_V1", tmp_path / "quota")
    monkeypatch.setattr(catalogue, "CPU_PERIOD_V1", tmp_path / "period")
    monkeypatch.setattr(catalogue, "MEMORY_LIMIT_V1", tmp_path / "limit")
    monkeypatch.setattr(catalogue.os, "sched_getaffinity", lambda pid: set(range(16)))
    assert catalogue.forecasters_allowed() == processes


def test_upgrading_keeps_only_the_oldest_of_the_runs_queued_for_one_scope(backend, databases):
    url = databases.new(backend)
    config = alembic_config("analytics", url)
    command.upgrade(config, "0005")
    now = datetime.now(UTC)
    runs = [
        ("running", "month", 6, now - timedelta(minutes=3)),
        ("queued", "month", 6, now - timedelta(minutes=2)),
        ("queued", "month", 6, now - timedelta(minutes=1)),
        ("queued", "week", 6, now - timedelta(minutes=2)),
        ("queued", "week", 6, now - timedelta(minutes=1)),
        ("done", "day", 6, now - timedelta(minutes=2)),
        ("queued", "day", 6, now - timedelta(minutes=1)),
    ]
    engine = make_engine(url)
    with engine.begin() as conn:
        for n, (status, granularity, horizon, at) in enumerate(runs):
            conn.execute(
                forecast_runs.insert().values(
                    id=f"run-{n}",
                    granularity=granularity,
                    horizon=horizon,
                    status=status,
                    total=1,
                    done=0,
                    next_sku="",
                    requested_at=at,
                )
            )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        kept = conn.execute(select(forecast_runs.c.id).order_by(forecast_runs.c.id)).scalars()
        assert list(kept) == ["run-0", "run-3", "run-5", "run-6"]
    engine.dispose()


def test_two_requests_racing_on_postgresql_queue_one_run(databases):
    app = service_app("analytics", databases.new("postgresql"))
    engine, service = app.extensions["erp_engine"], app.extensions["erp_settings"].service
    first = UnitOfWork(engine, service, actor="ada").__enter__()
    asked = catalogue.request_run(first, "month", 6)  # not yet committed

    def second_request():
        with UnitOfWork(engine, service, actor="bob") as uow:
            return catalogue.request_run(uow, "month", 6)

    with ThreadPoolExecutor(1) as pool:
        racing = pool.submit(second_request)
        time.sleep(0.5)  # it has read no run and now waits on the first one's index entry
        first.__exit__(None, None, None)
        answered = racing.result(timeout=10)
    assert answered["id"] == asked["id"]
    assert run_count(app) == 1
