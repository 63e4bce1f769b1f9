"""Past sales load in batches, once each, into the same figures as orders; a bad batch is
refused whole with every fault named, and loads nothing."""

from __future__ import annotations

import pytest

from erp_testing import bearer, service_app

pytestmark = pytest.mark.integration

LINES = [
    {"date": "2025-01-05", "sku": "A", "quantity": 3, "revenue": "30.00"},
    {"date": "2025-01-20", "sku": "A", "quantity": 1, "revenue": "10.00"},
    {"date": "2025-02-02", "sku": "B", "quantity": 2},
]


@pytest.fixture
def client(backend, databases):
    return service_app("analytics", databases.new(backend)).test_client()


def by_product(client):
    answer = client.get(
        "/api/v1/analytics/sales?from=2025-01-01&to=2025-12-31&granularity=month", headers=bearer()
    )
    return [(i["period"], i["key"], i["units"], i["revenue"]) for i in answer.json["items"]]


def load(client, body=None, csv=None, batch_id="b-1"):
    if csv is not None:
        return client.post(
            f"/api/v1/analytics/history?batch_id={batch_id}",
            data=csv.encode() if isinstance(csv, str) else csv,
            headers={**bearer(), "Content-Type": "text/csv"},
        )
    return client.post("/api/v1/analytics/history", json=body, headers=bearer())


def test_a_batch_loads_once_into_the_sales_figures(client):
    first = load(client, {"batch_id": "b-1", "lines": LINES})
    assert first.status_code == 200, first.json
    assert first.json == {"batch_id": "b-1", "lines": 3, "replayed": False}
    assert by_product(client) == [
        ("2025-01-01", "A", 4, "40.00"),
        ("2025-02-01", "B", 2, "0.00"),
    ]
    again = load(client, {"batch_id": "b-1", "lines": LINES})
    assert again.json == {"batch_id": "b-1", "lines": 3, "replayed": True}
    assert by_product(client)[0] == ("2025-01-01", "A", 4, "40.00")
    other = load(client, {"batch_id": "b-1", "lines": LINES[:1]})
    assert other.status_code == 409

    csv = "date,sku,quantity,revenue\n2025-03-01,C,5,12.50\n"
    assert load(client, csv=csv, batch_id="b-2").json["lines"] == 1
    assert ("2025-03-01", "C", 5, "12.50") in by_product(client)


@pytest.mark.parametrize(
    "body,csv,field",
    [
        (
            {"batch_id": "x", "lines": [{"date": "2025-13-01", "sku": "A", "quantity": 1}]},
            None,
            "lines",
        ),
        (
            {"batch_id": "x", "lines": [{"date": "2025-01-01", "sku": "A", "quantity": -1}]},
            None,
            "lines",
        ),
        (
            {
                "batch_id": "x",
                "lines": [{"date": "2025-01-01", "sku": "A", "quantity": 1, "colour": "red"}],
            },
            None,
            "lines",
        ),
        (None, "date,sku,quantity,colour\n2025-01-01,A,1,red\n", "file"),
        (None, "date,sku,quantity\n" + "2025-01-01,A,1\n" * 100_001, "lines"),
        (None, "date,sku,quantity\n2025-01-01,A,1\n".encode("utf-16"), "file"),
        ({"batch_id": "x", "lines": []}, None, "lines"),
    ],
)
def test_a_bad_batch_is_refused_whole_and_loads_nothing(client, body, csv, field):
    answer = load(client, body, csv, batch_id="x")
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]
    assert by_product(client) == []
