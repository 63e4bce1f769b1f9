"""Forecasts through the API, from sales loaded as history: periods, interval, backtest, and
the refusals."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from analytics.domain import month_of
from erp_testing import bearer, months_back, service_app

pytestmark = pytest.mark.integration


@pytest.fixture
def client(backend, databases):
    client = service_app("analytics", databases.new(backend)).test_client()
    lines = [
        {
            "date": day.isoformat(),
            "sku": "KETTLE",
            "quantity": round(50 + 2 * n + 15 * math.sin(2 * math.pi * day.month / 12)),
        }
        for n, day in enumerate(months_back(36))
    ]
    lines += [
        {"date": day.isoformat(), "sku": "NEWBIE", "quantity": 4 + n}
        for n, day in enumerate(months_back(3))
    ]
    answer = client.post(
        "/api/v1/analytics/history", json={"batch_id": "past", "lines": lines}, headers=bearer()
    )
    assert answer.status_code == 200, answer.json
    return client


def test_a_monthly_forecast_with_interval_and_backtest(client):
    answer = client.get(
        "/api/v1/analytics/forecast?sku=KETTLE&granularity=month&horizon=6", headers=bearer()
    )
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert (body["sku"], body["granularity"], body["history_periods"]) == ("KETTLE", "month", 36)
    assert len(body["points"]) == 6
    assert body["points"][0]["period"] == month_of(datetime.now(UTC).date()).isoformat()
    for point in body["points"]:
        assert point["lower"] <= point["forecast"] <= point["upper"]
    assert body["backtest"]["mase"] < body["backtest"]["baseline_mase"]
    everything = client.get("/api/v1/analytics/forecast?horizon=3", headers=bearer()).json
    assert len(everything["points"]) == 3


def test_a_three_month_history_still_answers(client):
    body = client.get("/api/v1/analytics/forecast?sku=NEWBIE&horizon=2", headers=bearer()).json
    assert body["method"] == "recent_mean"
    assert [p["forecast"] for p in body["points"]] == [5.0, 5.0]


@pytest.mark.parametrize(
    "query,status",
    [
        ("sku=GHOST", 404),
        ("sku=KETTLE&horizon=0", 422),
        ("sku=KETTLE&horizon=1000", 422),
        ("sku=KETTLE&granularity=year", 422),
    ],
)
def test_refusals(client, query, status):
    assert client.get(f"/api/v1/analytics/forecast?{query}", headers=bearer()).status_code == status


def test_a_forecast_is_read_beside_the_recent_run_rate(client):
    answer = client.get(
        "/api/v1/analytics/forecast?sku=NEWBIE&granularity=month&horizon=3", headers=bearer()
    ).json
    # 4, 5 and 6 units in the last three whole months.
    assert answer["recent_average"] == 5.0
