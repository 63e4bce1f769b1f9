"""An admin subscribes a URL to event types and is shown its signing secret once; lists,
reads, pauses, changes, deletes, rotates the secret. Only an admin may; an unknown event type
or a bad URL is a 422 naming the field; outside development only https to a public address
is taken, unless the allow-list names the host."""

from __future__ import annotations

import base64
from dataclasses import replace

import pytest

from erp_testing import bearer, service_app

pytestmark = pytest.mark.integration

WEBHOOKS = "/api/v1/webhooks"


@pytest.fixture
def app(databases):
    return service_app("gateway", databases.new("sqlite"))


@pytest.fixture
def client(app):
    return app.test_client()


def subscribe(client, **body):
    wanted = {"url": "https://hooks.example.com/erp", "events": ["order.confirmed"]} | body
    return client.post(WEBHOOKS, json=wanted, headers=bearer())


def as_in_production(app, *allowed_hosts: str) -> None:
    """The app's settings as outside development (the process itself cannot start so here:
    the tests run as root on a writable disk, which production refuses)."""
    settings = app.extensions["erp_settings"]
    app.extensions["erp_settings"] = replace(
        settings, environment="production", webhook_allow_hosts=allowed_hosts
    )


def test_an_admin_subscribes_and_sees_the_secret_only_in_that_answer(client):
    made = subscribe(client, events=["order.confirmed", "order.shipped"], description="shop")
    assert made.status_code == 201
    webhook = made.json
    assert webhook["status"] == "active" and webhook["description"] == "shop"
    assert webhook["events"] == ["order.confirmed", "order.shipped"]
    assert webhook["secret"].startswith("whsec_")
    assert len(base64.b64decode(webhook["secret"].removeprefix("whsec_"))) >= 24

    url = f"{WEBHOOKS}/{webhook['id']}"
    read = client.get(url, headers=bearer())
    assert read.status_code == 200 and "secret" not in read.json
    listed = client.get(WEBHOOKS, query_string={"per_page": 10}, headers=bearer()).json
    assert listed["total"] == 1 and listed["page"] == 1 and listed["per_page"] == 10
    assert [item["id"] for item in listed["items"]] == [webhook["id"]]
    assert "secret" not in listed["items"][0]


def test_an_admin_pauses_changes_and_deletes_a_subscription(client):
    webhook = subscribe(client).json
    url = f"{WEBHOOKS}/{webhook['id']}"
    changed = client.patch(
        url,
        json={"status": "paused", "events": ["stock.low"], "description": None},
        headers=bearer(),
    )
    assert changed.status_code == 200
    assert changed.json["status"] == "paused" and changed.json["events"] == ["stock.low"]
    assert changed.json["description"] is None
    assert client.patch(url, json={"status": "disabled"}, headers=bearer()).status_code == 422
    assert client.delete(url, headers=bearer()).status_code == 204
    assert client.get(url, headers=bearer()).status_code == 404


def test_rotating_the_secret_shows_a_new_one_once(client):
    webhook = subscribe(client).json
    rotated = client.post(f"{WEBHOOKS}/{webhook['id']}/secret", headers=bearer())
    assert rotated.status_code == 200
    assert rotated.json["secret"].startswith("whsec_")
    assert rotated.json["secret"] != webhook["secret"]


def test_only_an_admin_manages_webhooks(client):
    assert client.get(WEBHOOKS).status_code == 401
    for roles in (("sales",), ("analyst",), ("support",)):
        assert client.get(WEBHOOKS, headers=bearer(roles=roles)).status_code == 403
        body = {"url": "https://hooks.example.com/", "events": ["order.confirmed"]}
        assert client.post(WEBHOOKS, json=body, headers=bearer(roles=roles)).status_code == 403


@pytest.mark.parametrize(
    "body,field",
    [
        ({"events": ["order.teleported"]}, "events"),
        ({"events": []}, "events"),
        ({"url": ""}, "url"),
        ({"url": "ftp://hooks.example.com/"}, "url"),
        ({"url": "https://user:password@hooks.example.com/"}, "url"),
        ({"url": "https://hooks.example.com:port/"}, "url"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(client, body, field):
    answer = subscribe(client, **body)
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert field in answer.json["errors"]


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/",
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://[::1]/hooks",
        "https://10.1.2.3/hooks",
        "https://192.168.0.10/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://0.0.0.0/hooks",
    ],
)
def test_in_production_plain_http_and_private_targets_are_refused(app, client, url):
    as_in_production(app)
    answer = subscribe(client, url=url)
    assert answer.status_code == 422
    assert "url" in answer.json["errors"]


def test_in_production_the_allow_list_lets_a_private_host_in(app, client):
    as_in_production(app, "localhost")
    assert subscribe(client, url="https://localhost/hooks").status_code == 201
    assert subscribe(client, url="https://127.0.0.1/hooks").status_code == 422


def test_in_development_a_receiver_on_this_machine_may_be_named(client):
    assert subscribe(client, url="http://127.0.0.1:9999/hooks").status_code == 201
