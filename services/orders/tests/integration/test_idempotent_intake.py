"""A client that retries a keyed request many times at once still gets one order."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select

from erp_shared.messaging import outbox
from erp_testing import bearer

pytestmark = pytest.mark.integration


def test_twenty_concurrent_retries_of_one_keyed_request_create_one_order(app):
    start = threading.Barrier(20)
    answers = []
    body = {"customer_id": "cust-1", "channel": "phone", "lines": [{"sku": "PEN", "quantity": 2}]}

    def retry():
        client = app.test_client()
        start.wait()
        answers.append(
            client.post(
                "/api/v1/orders", json=body, headers={**bearer(), "Idempotency-Key": "call-77"}
            )
        )

    threads = [threading.Thread(target=retry) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answer.status_code for answer in answers] == [201] * 20
    assert len({answer.json["id"] for answer in answers}) == 1
    assert sum(answer.headers.get("Idempotent-Replayed") == "true" for answer in answers) == 19
    with app.extensions["erp_engine"].connect() as conn:
        placed = conn.scalars(select(outbox.c.body).where(outbox.c.type == "order.placed"))
        assert [json.loads(b)["data"]["order_id"] for b in placed] == [answers[0].json["id"]]
