"""The series a forecast is made from: units per day from the daily figures (orders and
history imports), for a SKU, a category or everything."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from analytics.tables import (
    forecast_results,
    forecast_runs,
    products,
    sales_daily,
    sales_rollups,
)
from erp_shared.db import dialect_insert


def known_sku(conn: Connection, sku: str) -> bool:
    in_catalogue = select(products.c.sku).where(products.c.sku == sku)
    sold = select(sales_daily.c.key).where(
        sales_daily.c.dimension == "product", sales_daily.c.key == sku
    )
    return bool(conn.execute(in_catalogue).first() or conn.execute(sold.limit(1)).first())


def daily_units(conn: Connection, sku: str | None, category: str | None) -> list[tuple]:
    query = select(sales_daily.c.day, func.sum(sales_daily.c.units)).where(
        sales_daily.c.dimension == "product"
    )
    if sku:
        query = query.where(sales_daily.c.key == sku)
    elif category:
        query = query.where(
            sales_daily.c.key.in_(select(products.c.sku).where(products.c.category == category))
        )
    return conn.execute(query.group_by(sales_daily.c.day).order_by(sales_daily.c.day)).all()


def skus_sold(conn: Connection) -> int:
    query = select(func.count(sales_daily.c.key.distinct())).where(
        sales_daily.c.dimension == "product"
    )
    return conn.execute(query).scalar_one()


def units_by_period(conn: Connection, granularity: str, skus: list[str]):
    """(sku, period, units) of the SKUs given: whole weeks and months from the rollups (a
    running period is left out by the caller), days from the days. The SKUs are named, not a
    range: work taken over from a dead worker is SKUs scattered among those already saved."""
    if granularity == "day":
        table, period, where = sales_daily, sales_daily.c.day, ()
    else:
        table, period = sales_rollups, sales_rollups.c.period
        where = (sales_rollups.c.grain == granularity,)
    query = select(table.c.key, period, table.c.units).where(
        table.c.dimension == "product", table.c.key.in_(skus), *where
    )
    return conn.execute(query.order_by(table.c.key, period)).all()


def skus_after(conn: Connection, after: str, count: int) -> list[str]:
    query = (
        select(sales_daily.c.key)
        .distinct()
        .where(sales_daily.c.dimension == "product", sales_daily.c.key > after)
        .order_by(sales_daily.c.key)
        .limit(count)
    )
    return list(conn.execute(query).scalars())


def add_run(conn: Connection, run: dict) -> None:
    """Queue the run unless its scope has one queued or running (the partial unique index):
    on PostgreSQL a racing request waits on the first one's index entry, then adds nothing."""
    conn.execute(dialect_insert(conn)(forecast_runs).values(**run).on_conflict_do_nothing())


def unfinished_run(conn: Connection, granularity: str, horizon: int):
    query = select(forecast_runs).where(
        forecast_runs.c.granularity == granularity,
        forecast_runs.c.horizon == horizon,
        forecast_runs.c.status.in_(("queued", "running")),
    )
    return conn.execute(query).first()


def run_of(conn: Connection, run_id: str):
    return conn.execute(select(forecast_runs).where(forecast_runs.c.id == run_id)).first()


def oldest_unfinished_run(conn: Connection):
    query = (
        select(forecast_runs)
        .where(forecast_runs.c.status.in_(("queued", "running")))
        .order_by(forecast_runs.c.requested_at)
        .limit(1)
    )
    return conn.execute(query).first()


def claim_chunk(conn: Connection, run_id: str, after: str, through: str, at) -> bool:
    """Move the run's cursor past a chunk, unless another worker moved it first."""
    moved = conn.execute(
        update(forecast_runs)
        .where(forecast_runs.c.id == run_id, forecast_runs.c.next_sku == after)
        .values(
            next_sku=through,
            status="running",
            started_at=func.coalesce(forecast_runs.c.started_at, at),
            progressed_at=at,
        )
    )
    return moved.rowcount == 1


def skus_unsaved(conn: Connection, run_id: str, through: str) -> list[str]:
    """The SKUs of the run's chunks claimed so far (up to the cursor) that have no result
    yet: the work of the workers still on them, or of those that died."""
    saved = select(forecast_results.c.sku).where(forecast_results.c.run_id == run_id)
    query = (
        select(sales_daily.c.key)
        .distinct()
        .where(
            sales_daily.c.dimension == "product",
            sales_daily.c.key <= through,
            sales_daily.c.key.not_in(saved),
        )
        .order_by(sales_daily.c.key)
    )
    return list(conn.execute(query).scalars())


def take_over(conn: Connection, run_id: str, stale_before, at) -> bool:
    """Mark a run that has not progressed since stale_before as progressing, unless another
    worker did first: the compare-and-set that gives a dead worker's chunks to one live
    worker, not two (the second finds the run progressing and leaves it)."""
    taken = conn.execute(
        update(forecast_runs)
        .where(
            forecast_runs.c.id == run_id,
            forecast_runs.c.status == "running",
            forecast_runs.c.progressed_at < stale_before,
        )
        .values(progressed_at=at)
    )
    return taken.rowcount == 1


def save_results(conn: Connection, run_id: str, results: list[dict], at) -> None:
    """Write the forecasts and count those new to the run. A worker that was slow, not
    dead, saves after another took its chunk over: each SKU's first result is kept and
    counted once (on PostgreSQL a racing save waits for the first one's rows, then skips
    them), so done never counts a SKU twice."""
    insert = dialect_insert(conn)(forecast_results).on_conflict_do_nothing()
    saved = conn.execute(
        insert.returning(forecast_results.c.sku), [{"run_id": run_id, **r} for r in results]
    )
    conn.execute(
        update(forecast_runs)
        .where(forecast_runs.c.id == run_id)
        .values(done=forecast_runs.c.done + len(saved.all()), progressed_at=at)
    )


def finish_run(conn: Connection, run_id: str, at) -> bool:
    """Mark the run done if every SKU is; whether this call was the one that did."""
    finished = conn.execute(
        update(forecast_runs)
        .where(
            forecast_runs.c.id == run_id,
            forecast_runs.c.done >= forecast_runs.c.total,
            forecast_runs.c.status != "done",
        )
        .values(status="done", finished_at=at)
    )
    return finished.rowcount == 1


def fail_run(conn: Connection, run_id: str, at) -> None:
    conn.execute(
        update(forecast_runs)
        .where(forecast_runs.c.id == run_id, forecast_runs.c.status.in_(("queued", "running")))
        .values(status="failed", finished_at=at)
    )


def backtest_errors(conn: Connection, run_id: str) -> list[float]:
    """The backtest sMAPE of every SKU of the run that had enough history for one."""
    return list(
        conn.scalars(
            select(forecast_results.c.smape).where(
                forecast_results.c.run_id == run_id, forecast_results.c.smape.is_not(None)
            )
        )
    )


def results_page(conn: Connection, run_id: str, offset: int, limit: int) -> tuple[list, int]:
    where = forecast_results.c.run_id == run_id
    total = conn.execute(select(func.count()).where(where)).scalar_one()
    rows = conn.execute(
        select(forecast_results)
        .where(where)
        .order_by(forecast_results.c.sku)
        .offset(offset)
        .limit(limit)
    ).all()
    return rows, total
