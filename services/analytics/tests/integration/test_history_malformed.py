"""A history file or batch no reader can take is refused with 422 problem+json naming what is
wrong, never a 500, and loads nothing."""

from __future__ import annotations

import csv

import pytest

from erp_testing import bearer, service_app

pytestmark = pytest.mark.integration

HEADER = "date,sku,quantity,revenue\n"


@pytest.fixture
def client(databases):
    return service_app("analytics", databases.new("sqlite")).test_client()


def send_csv(client, data: bytes):
    headers = {**bearer(), "Content-Type": "text/csv"}
    return client.post("/api/v1/analytics/history?batch_id=b-1", data=data, headers=headers)


def loaded(client) -> list:
    answer = client.get(
        "/api/v1/analytics/sales?from=2025-01-01&to=2025-12-31&granularity=month", headers=bearer()
    )
    return answer.json["items"]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param((HEADER + "2025-01-05,Ä,1,1.00\n").encode("latin-1"), id="latin-1"),
        pytest.param((HEADER + "2025-01-05,A,1,1.00\n").encode("utf-16"), id="utf-16"),
        pytest.param(b"\xff\xfe\x00" + HEADER.encode(), id="binary"),
        pytest.param(
            (HEADER + f"2025-01-05,{'A' * (csv.field_size_limit() + 1)},1,1.00\n").encode(),
            id="field-over-the-csv-limit",
        ),
    ],
)
def test_a_file_no_reader_can_take_is_422_and_loads_nothing(client, data):
    answer = send_csv(client, data)
    assert answer.status_code == 422, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == "application/problem+json"
    assert "file" in answer.json["errors"]
    assert loaded(client) == []


def test_a_lone_carriage_return_ends_a_line_as_in_old_mac_files(client):
    answer = send_csv(client, (HEADER + "2025-01-05,A,1,1.00\r2025-01-06,A,2,2.00\n").encode())
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.json["lines"] == 2


@pytest.mark.parametrize(
    "line,field",
    [
        ({"revenue": "1e30"}, "revenue"),
        ({"revenue": "1e2"}, "revenue"),
        ({"revenue": "Infinity"}, "revenue"),
        ({"revenue": "NaN"}, "revenue"),
        ({"revenue": "12.345"}, "revenue"),
        ({"revenue": "10000000000000"}, "revenue"),
        ({"quantity": "1" * 30}, "quantity"),
    ],
)
def test_an_amount_or_quantity_past_what_is_stored_is_422(client, line, field):
    batch = {
        "batch_id": "b-1",
        "lines": [{"date": "2025-01-05", "sku": "A", "quantity": 1, "revenue": "1.00"} | line],
    }
    answer = client.post("/api/v1/analytics/history", json=batch, headers=bearer())
    assert answer.status_code == 422, answer.get_data(as_text=True)[:300]
    assert field in answer.json["errors"]["lines"]["1"]
    assert loaded(client) == []


def test_a_field_over_the_csv_limit_is_told_by_its_line(client):
    oversized = "A" * (csv.field_size_limit() + 1)
    answer = send_csv(
        client, (HEADER + f"2025-01-05,B,1,1.00\n2025-01-05,{oversized},1\n").encode()
    )
    assert answer.status_code == 422
    assert answer.json["errors"]["file"][0].startswith("Line 3:")
