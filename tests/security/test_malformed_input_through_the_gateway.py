"""Through the gateway, as a client would send them: malformed bodies answer 4xx problem+json,
never a 500 (issue 19, finding 7), and asking twice for a catalogue forecast queues one run
(finding 6)."""

from __future__ import annotations

import csv

import pytest

from erp_testing import months_back, unique
from erp_testing.system import running_system

pytestmark = pytest.mark.e2e

PROBLEM_JSON = "application/problem+json"
DEEP = 100_000


@pytest.fixture(scope="module")
def system(tmp_path_factory, amqp_url):
    """One system for the module. Its tests send one admin's imports and forecast runs in
    quick succession: the per-user allowance of such requests, not what they try, is lifted
    so that none is answered 429."""
    lifted = {"GATEWAY_EXPENSIVE_RATE_LIMIT": "1000/minute"}
    with running_system(tmp_path_factory.mktemp("system"), amqp_url, **lifted) as system:
        yield system


def deep_json() -> bytes:
    return b"[" * DEEP + b"]" * DEEP


@pytest.mark.parametrize("path", ["/auth/token", "/orders", "/products"])
def test_a_json_body_nested_100000_deep_is_400(system, path):
    answer = system.call(
        "POST", path, content=deep_json(), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 400, answer.text[:300]
    assert answer.headers["Content-Type"] == PROBLEM_JSON


@pytest.mark.parametrize("price", ["1e30", "1e2", "NaN", "Infinity", "-Infinity", "sNaN"])
def test_a_price_in_exponent_or_special_form_is_422(system, price):
    body = {"sku": unique("P-"), "name": "Lamp", "unit_price": price}
    answer = system.call("POST", "/products", json=body)
    assert answer.status_code == 422, answer.text[:300]
    assert answer.headers["Content-Type"] == PROBLEM_JSON
    assert list(answer.json()["errors"]) == ["unit_price"]


def send_csv(system, path: str, data: bytes):
    return system.call("POST", path, content=data, headers={"Content-Type": "text/csv"})


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("date,sku,quantity\n2025-01-05,Décor,1\n".encode("utf-16"), id="utf-16"),
        pytest.param("date,sku,quantity\n2025-01-05,Décor,1\n".encode("latin-1"), id="latin-1"),
        # What schemathesis sent: text whose lone CR the csv module refused (500) when read
        # without newline="".
        pytest.param(b"\r0", id="lone-carriage-return"),
    ],
)
def test_a_history_file_in_a_bad_encoding_is_422(system, data):
    answer = send_csv(system, f"/analytics/history?batch_id={unique('b-')}", data)
    assert answer.status_code == 422, answer.text[:300]
    assert answer.headers["Content-Type"] == PROBLEM_JSON
    assert "file" in answer.json()["errors"]


@pytest.mark.parametrize(
    "path,header",
    [
        ("/orders/import", "external_ref,customer_id,channel,sku,quantity"),
        (f"/analytics/history?batch_id={unique('b-')}", "date,sku,quantity"),
    ],
)
def test_a_csv_field_over_the_csv_limit_is_422(system, path, header):
    oversized = "X" * (csv.field_size_limit() + 1)
    answer = send_csv(system, path, f"{header}\n{oversized},a,web\n".encode())
    assert answer.status_code == 422, answer.text[:300]
    assert answer.headers["Content-Type"] == PROBLEM_JSON
    assert answer.json()["errors"]["file"][0].startswith("Line 2:")


def test_asking_twice_for_a_catalogue_forecast_queues_one_run(system):
    lines = [
        {"date": day.isoformat(), "sku": f"F-{n}", "quantity": 5 + k}
        for n in range(20)
        for k, day in enumerate(months_back(24))
    ]
    batch = {"batch_id": unique("past-"), "lines": lines}
    assert system.call("POST", "/analytics/history", json=batch).status_code == 200

    body = {"granularity": "month", "horizon": 5}
    first = system.call("POST", "/analytics/forecast/runs", json=body)
    again = system.call("POST", "/analytics/forecast/runs", json=body)
    assert (first.status_code, again.status_code) == (202, 202), again.text[:300]
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Location"] == first.headers["Location"]
