"""Forecasting the whole catalogue as a background job: requested over the API, worked
through by the analytics worker a chunk of SKUs at a time, with progress anyone can read.

A chunk is claimed by moving the run's cursor (compare-and-set), computed outside any
transaction on the cores the container may use (a process pool: the models are CPU-bound
Python), and its results written in one short transaction, so the worker's event consumer is
never held up and two workers share a run instead of repeating it.

A worker can die mid-chunk (killed, out of memory): once every chunk is claimed and the run
has not progressed for ABANDONED_AFTER, one live worker takes over the SKUs claimed and never
saved (a compare-and-set on when the run last progressed) and the run still finishes with
every SKU. A worker that was only slow and saves after being taken over adds nothing: each
SKU's result is saved and counted once.

The work is bounded: one queued or running run per scope (asking again answers it), and the
pool's processes run at a lower priority than the services' requests and events.
"""

from __future__ import annotations

import os
import statistics
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta
from functools import cache
from multiprocessing import get_context
from pathlib import Path

from sqlalchemy.engine import Engine

from analytics.domain import next_period, period_of
from analytics.forecast import db
from analytics.forecast.domain import forecast
from analytics.forecast.series import filled
from erp_shared import metrics
from erp_shared.config import Settings
from erp_shared.errors import Unknown
from erp_shared.uow import UnitOfWork

CHUNK = 400
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# A chunk takes seconds, a few minutes on a slow machine: a run that has not progressed for
# this long lost the workers of the chunks it has claimed and not saved, and is taken over.
ABANDONED_AFTER = timedelta(minutes=15)
# How much less CPU the forecasting processes get than the services (nice 0) when both want it.
NICENESS = 10
# The container's CPU quota, cgroup v2: "<quota> <period>" in microseconds, or "max <period>";
# cgroup v1 keeps the two numbers in two files, -1 for none.
CPU_MAX = Path("/sys/fs/cgroup/cpu.max")
CPU_QUOTA_V1 = Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")
CPU_PERIOD_V1 = Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us")
# The container's memory limit in bytes: cgroup v2 ("max" for none), else v1.
MEMORY_MAX = Path("/sys/fs/cgroup/memory.max")
MEMORY_LIMIT_V1 = Path("/sys/fs/cgroup/memory/memory.limit_in_bytes")
# Resident at its peak, one forecasting process (numpy, scipy, pandas and statsmodels loaded,
# a series fitted; ~155 MiB measured) and the worker beside its pool.
FORECASTER_MEMORY = 160 * 2**20
WORKER_MEMORY = 256 * 2**20
ACTOR = "job:forecast catalogue"


def request_run(uow: UnitOfWork, granularity: str, horizon: int) -> dict:
    """The scope's queued or running run, else a new queued one: asking again (a second
    click, a client's retry, a fuzzer) adds no work."""
    if db.unfinished_run(uow.conn, granularity, horizon) is None:
        run = {
            "id": str(uuid.uuid4()),
            "granularity": granularity,
            "horizon": horizon,
            "status": "queued",
            "total": db.skus_sold(uow.conn),
            "done": 0,
            "next_sku": "",
            "requested_at": uow.now,
            "requested_by": uow.actor,
        }
        db.add_run(uow.conn, run)
    return db.unfinished_run(uow.conn, granularity, horizon)._asdict()


def run_status(uow: UnitOfWork, run_id: str) -> dict:
    run = db.run_of(uow.conn, run_id)
    if run is None:
        raise Unknown(f"No forecast run {run_id}.")
    return run._asdict()


def run_results(uow: UnitOfWork, run_id: str, offset: int, limit: int) -> tuple[list, int]:
    run_status(uow, run_id)
    rows, total = db.results_page(uow.conn, run_id, offset, limit)
    items = [
        {
            "sku": row.sku,
            "method": row.method,
            "backtest": {"mase": row.mase, "smape": row.smape, "baseline_mase": row.baseline_mase},
            "points": [
                {"period": date.fromisoformat(period), "forecast": value}
                | {"lower": lower, "upper": upper}
                for period, value, lower, upper in row.points
            ],
        }
        for row in rows
    ]
    return items, total


def cores_allowed() -> int:
    """The whole cores this process may keep busy: those it may run on, and no more than the
    container's CPU quota (os.cpu_count() counts the host's, and a pool sized by it is
    throttled by the quota, taking the time the services need)."""
    cores = len(os.sched_getaffinity(0))
    quota = _cpu_quota()
    return cores if quota is None else max(1, min(cores, int(quota)))


def _cpu_quota() -> float | None:
    """Cores' worth of CPU time the container may use, or None without a limit."""
    try:
        quota, period = CPU_MAX.read_text().split()
        return int(quota) / int(period)
    except (OSError, ValueError):  # "max", or no cgroup v2
        pass
    try:
        quota = int(CPU_QUOTA_V1.read_text())
        return quota / int(CPU_PERIOD_V1.read_text()) if quota > 0 else None
    except (OSError, ValueError):
        return None


def memory_limit() -> int | None:
    """The container's memory limit in bytes, or None without one (v1 reports an absurdly
    large number for none)."""
    for limit in (MEMORY_MAX, MEMORY_LIMIT_V1):
        try:
            value = int(limit.read_text())
        except (OSError, ValueError):  # "max", or not this cgroup version
            continue
        return value if value < 2**60 else None
    return None


def forecasters_allowed() -> int:
    """Forecasting processes: one per core allowed, and no more than the memory limit holds
    beside the worker. A pool sized by cores alone in a 256 MiB container was OOM-killed by
    its first catalogue run; at least one runs, slowly, whatever the limit."""
    processes = cores_allowed()
    limit = memory_limit()
    if limit is not None:
        processes = min(processes, (limit - WORKER_MEMORY) // FORECASTER_MEMORY)
    return max(1, processes)


def _lower_priority() -> None:
    """Each forecasting process yields the CPU to the services' requests and events: a
    forecast can wait, an order cannot."""
    os.nice(NICENESS)


@cache
def _pool() -> ProcessPoolExecutor:
    """Spawned, not forked: the worker has broker threads a fork would copy mid-flight. One
    BLAS thread per process: the processes already fill the cores, and nested threads made
    the run five times slower."""
    for name in BLAS_THREADS:
        os.environ[name] = "1"
    return ProcessPoolExecutor(
        max_workers=forecasters_allowed(),
        mp_context=get_context("spawn"),
        initializer=_lower_priority,
    )


def close_pool() -> None:
    """Let the pool's processes go (a worker keeps them for its life; a benchmark does not)."""
    if _pool.cache_info().currsize:
        _pool().shutdown()
        _pool.cache_clear()


def _forecast_one(job: tuple[str, list[float], str, int, str]) -> dict:
    sku, values, granularity, horizon, first_period = job
    answer = forecast(values, granularity, horizon)
    period, points = date.fromisoformat(first_period), []
    for value, lower, upper in answer.points:
        points.append([period.isoformat(), value, lower, upper])
        period = next_period(period, granularity)
    return {
        "sku": sku,
        "method": answer.method,
        "mase": answer.mase,
        "smape": answer.smape,
        "baseline_mase": answer.baseline_mase,
        "points": points,
    }


def work_on_runs(engine: Engine, settings: Settings) -> None:
    """Take chunks of the oldest unfinished run until it is done (then the next one)."""
    while step(engine, settings):
        pass


def step(engine: Engine, settings: Settings) -> bool:
    """Forecast one chunk of the oldest unfinished run, or the work its dead workers left;
    False when there is nothing to do."""
    with UnitOfWork(engine, settings.service, readonly=True) as uow:
        run = db.oldest_unfinished_run(uow.conn)
        if run is None:
            return False
        skus = db.skus_after(uow.conn, run.next_sku, CHUNK)
    if skus:
        return _claim_chunk(engine, settings, run, skus)
    return _finish_or_take_over(engine, settings, run)


def _claim_chunk(engine: Engine, settings: Settings, run, skus: list[str]) -> bool:
    with UnitOfWork(engine, settings.service, actor=ACTOR) as uow:
        if not db.claim_chunk(uow.conn, run.id, run.next_sku, skus[-1], uow.now):
            return True  # another worker took it: look again
    _forecast_and_save(engine, settings, run, skus)
    return True


def _finish_or_take_over(engine: Engine, settings: Settings, run) -> bool:
    """Every chunk is claimed: close the run if every SKU is saved. Otherwise wait while it
    progresses (its chunks are being worked on); once it has not for ABANDONED_AFTER, their
    workers are dead and this one takes over all they left, a chunk at a time, each save
    keeping the run progressing so no other worker takes it over meanwhile."""
    with UnitOfWork(engine, settings.service, actor=ACTOR) as uow:
        if _finish(uow, run.id) or not _abandoned(run, uow.now):
            return False  # done, or a chunk still being worked on
        lost = db.skus_unsaved(uow.conn, run.id, run.next_sku)
        if not lost:
            # Short of its total with nothing left to forecast (SKUs it counted are gone):
            # it could never finish, and would hold back every later run.
            db.fail_run(uow.conn, run.id, uow.now)
            return True
        if not db.take_over(uow.conn, run.id, uow.now - ABANDONED_AFTER, uow.now):
            return True  # another worker took it over: look again
    for start in range(0, len(lost), CHUNK):
        _forecast_and_save(engine, settings, run, lost[start : start + CHUNK])
    return True


def _forecast_and_save(engine: Engine, settings: Settings, run, skus: list[str]) -> None:
    """Forecast SKUs this worker claimed, outside any transaction, then save them in one
    short one. Every SKU gets a result (one without a sale in the periods read forecasts
    from nothing): a SKU left without one would keep the run short of its total."""
    with UnitOfWork(engine, settings.service, readonly=True) as uow:
        current = period_of(uow.now.date(), run.granularity)
        rows = db.units_by_period(uow.conn, run.granularity, skus)
    series = filled(rows, current, run.granularity)
    jobs = [
        (sku, series.get(sku, []), run.granularity, run.horizon, current.isoformat())
        for sku in skus
    ]
    results = list(_pool().map(_forecast_one, jobs, chunksize=16))
    with UnitOfWork(engine, settings.service, actor=ACTOR) as uow:
        db.save_results(uow.conn, run.id, results, uow.now)
        _finish(uow, run.id)


def _abandoned(run, now: datetime) -> bool:
    return (run.progressed_at or run.started_at or run.requested_at) < now - ABANDONED_AFTER


def _finish(uow: UnitOfWork, run_id: str) -> bool:
    """Close the run if it is complete, and report its median backtest error to the metrics
    (a forecast getting worse across runs is worth an alert); whether this call closed it."""
    if not db.finish_run(uow.conn, run_id, uow.now):
        return False
    errors = db.backtest_errors(uow.conn, run_id)
    if errors:
        error = statistics.median(errors)
        uow.on_commit(lambda: metrics.FORECAST_ERROR.labels(uow.producer).set(error))
    return True
