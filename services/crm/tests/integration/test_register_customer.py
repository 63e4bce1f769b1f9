"""Registering customers: one per email, announced to the other services."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from crm.handlers import HANDLERS
from erp_shared.events import new_event, parse_event
from erp_shared.messaging import outbox
from erp_shared.uow import UnitOfWork
from erp_testing import bearer, service_app

pytestmark = pytest.mark.integration


@pytest.fixture
def app(backend, databases):
    return service_app("crm", databases.new(backend))


@pytest.fixture
def client(app):
    return app.test_client()


def register(client, **body):
    payload = {"name": "Ada Lovelace", "email": "Ada@Example.com", **body}
    return client.post("/api/v1/customers", json=payload, headers=bearer())


def test_a_registered_customer_can_be_read_back_and_is_announced(client, app):
    created = register(
        client,
        tags=["VIP", "vip "],
        credit_limit="5000.00",
        company="Analytical Engines Ltd",
        tax_id="GB123456789",
        language="zh_CN",
        addresses=[
            {
                "kind": "shipping",
                "line1": "2 Dock Rd",
                "city": "Bristol",
                "postal_code": "BS1",
                "country": "GB",
            },
            {
                "kind": "billing",
                "line1": "1 Main St",
                "city": "London",
                "postal_code": "N1",
                "country": "GB",
            },
        ],
    )
    assert created.status_code == 201
    customer = client.get(f"/api/v1/customers/{created.json['id']}", headers=bearer()).json
    assert customer["email"] == "ada@example.com"
    assert customer["tags"] == ["vip"]
    assert customer["segment"] is None
    assert [a["city"] for a in customer["addresses"]] == ["Bristol", "London"]
    assert customer["tax_id"] == "GB123456789"
    with app.extensions["erp_engine"].connect() as conn:
        [body] = [
            json.loads(r.body)
            for r in conn.execute(
                select(outbox.c.body).where(outbox.c.type == "customer.registered")
            )
        ]
    assert body["data"]["customer_id"] == customer["id"]
    assert body["data"]["credit_limit"] == "5000.00"
    # What the orders service prints on its invoices: the billing address, not the shipping.
    assert body["data"]["company"] == "Analytical Engines Ltd"
    assert body["data"]["tax_id"] == "GB123456789"
    assert body["data"]["language"] == "zh_CN"
    assert body["data"]["billing_address"] == {
        "line1": "1 Main St", "city": "London", "postal_code": "N1", "country": "GB"
    }  # fmt: skip


def test_an_email_already_used_is_a_conflict(client):
    register(client)
    again = register(client, email="ADA@example.com")
    assert again.status_code == 409
    assert again.json["errors"] == {"email": ["Choose another."]}


def test_a_bad_email_or_unknown_field_is_refused(client):
    answer = register(client, email="not-an-email", vip=True)
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {"email", "vip"}


def test_the_segment_analytics_assigns_shows_on_the_record(client, app):
    customer_id = register(client).json["id"]
    event = parse_event(
        new_event(
            "customer.segment_changed",
            {"customer_id": customer_id, "segment": "champions"},
            producer="analytics",
        )
    )
    with UnitOfWork(app.extensions["erp_engine"], "crm") as uow:
        HANDLERS[event.type](uow, event)
    assert (
        client.get(f"/api/v1/customers/{customer_id}", headers=bearer()).json["segment"]
        == "champions"
    )
