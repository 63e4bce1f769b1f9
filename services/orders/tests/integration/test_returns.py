"""Returns take back only what shipped and not yet returned, within the window, once."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlalchemy import select

from erp_shared.messaging import outbox
from erp_testing import bearer

pytestmark = pytest.mark.integration


@pytest.fixture
def shipped(app, client, confirmed_order):
    order = confirmed_order(lines=[{"sku": "CHAIR", "quantity": 2}, {"sku": "PEN", "quantity": 4}])
    ship = {"lines": [{"sku": "PEN", "quantity": 4}]}
    answer = client.post(f"/api/v1/orders/{order['id']}/ship", json=ship, headers=bearer())
    assert answer.status_code == 200
    return order


def ask(client, order_id, *lines, resolution="refund"):
    body = {"order_id": order_id, "resolution": resolution, "lines": list(lines)}
    return client.post("/api/v1/returns", json=body, headers=bearer())


def test_more_than_shipped_and_not_yet_returned_is_refused(client, shipped):
    assert ask(client, shipped["id"], {"sku": "CHAIR", "quantity": 1}).status_code == 422
    too_many = ask(client, shipped["id"], {"sku": "PEN", "quantity": 5})
    assert too_many.status_code == 422
    assert too_many.json["errors"] == {"lines": {"0": {"quantity": ["At most 4 can come back."]}}}
    assert ask(client, shipped["id"], {"sku": "PEN", "quantity": 3}).status_code == 201
    # 3 of the 4 are already asked back on an open return.
    assert ask(client, shipped["id"], {"sku": "PEN", "quantity": 2}).status_code == 422


def test_an_unshipped_order_takes_no_return(client, confirmed_order):
    order = confirmed_order()
    assert ask(client, order["id"], {"sku": "CHAIR", "quantity": 1}).status_code == 422


def test_a_return_after_the_window_is_refused(app, client, shipped):
    settings = app.extensions["erp_settings"]
    app.extensions["erp_settings"] = replace(settings, return_days=0)
    late = ask(client, shipped["id"], {"sku": "PEN", "quantity": 1})
    assert late.status_code == 422
    assert "window" in late.json["detail"]


def test_a_return_received_twice_has_one_effect(app, client, shipped):
    ret = ask(client, shipped["id"], {"sku": "PEN", "quantity": 2}).json
    received = {"lines": [{"sku": "PEN", "quantity": 2, "condition": "resellable"}]}
    url = f"/api/v1/returns/{ret['id']}/receive"
    first = client.post(url, json=received, headers=bearer())
    again = client.post(url, json=received, headers=bearer())
    assert (first.status_code, again.status_code) == (200, 409)
    credit = client.get(f"/api/v1/invoices/{first.json['credit_note_id']}", headers=bearer()).json
    assert (credit["kind"], credit["total"]) == ("credit_note", "3.98")
    with app.extensions["erp_engine"].connect() as conn:
        bodies = conn.scalars(select(outbox.c.body).where(outbox.c.type == "return.received"))
        assert [json.loads(body)["data"]["lines"] for body in bodies] == [
            [{"sku": "PEN", "quantity": 2, "condition": "resellable"}]
        ]
    order = client.get(f"/api/v1/orders/{shipped['id']}", headers=bearer()).json
    assert {line["sku"]: line["returned"] for line in order["lines"]} == {"CHAIR": 0, "PEN": 2}
    assert client.get(f"/api/v1/returns/{ret['id']}", headers=bearer()).json["status"] == "received"
