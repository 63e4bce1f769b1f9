"""The gateway learns who may call a service's routes from that service's OpenAPI document
(`x-access`, erp_shared.access.EXTENSION): a rule changed in a service is obeyed without a
change to the gateway or the shared kernel, and a path whose rules are not known yet is
refused safely (503 with Retry-After) to everyone but admin, who needs no rule."""

from __future__ import annotations

import threading

import pytest
from flask import Flask, jsonify
from werkzeug.serving import make_server

from erp_testing import bearer, service_app
from gateway import rules

RULE = {"methods": ["GET"], "path": r"^/products(/.*)?$"}


@pytest.fixture
def inventory():
    """A stand-in inventory service whose published rules the test changes at will."""
    stub = Flask("stub")
    published = {"x-access": [{**RULE, "roles": ["sales"]}], "answers": True}

    @stub.get("/openapi.json")
    def document():
        if not published["answers"]:
            return {"detail": "starting"}, 500
        return jsonify(openapi="3.0.3", paths={}, **{"x-access": published["x-access"]})

    @stub.get("/api/v1/<path:path>")
    def answer(path):
        return {"path": path}

    server = make_server("127.0.0.1", 0, stub, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", published
    server.shutdown()


@pytest.fixture
def client(databases, inventory):
    url, _ = inventory
    app = service_app(
        "gateway", databases.new("sqlite"), service_urls={"inventory": url}, rules_ttl=0
    )
    return app.test_client()


def status(client, role: str) -> int:
    return client.get("/api/v1/products/A", headers=bearer(roles=[role])).status_code


def test_the_gateway_obeys_the_rules_a_service_publishes(client):
    assert status(client, "sales") == 200
    assert status(client, "warehouse") == 403


def test_a_rule_changed_in_the_service_is_obeyed_once_the_gateway_asks_again(
    client, inventory, monkeypatch
):
    monkeypatch.setattr(rules, "RETRY_SECONDS", 0.0)
    _, published = inventory
    assert status(client, "warehouse") == 403
    published["x-access"] = [{**RULE, "roles": ["warehouse"]}]
    assert status(client, "warehouse") == 200
    assert status(client, "sales") == 403


def test_rules_not_known_yet_refuse_all_but_admin_until_the_service_tells_them(
    client, inventory, monkeypatch
):
    monkeypatch.setattr(rules, "RETRY_SECONDS", 0.0)
    _, published = inventory
    published["answers"] = False
    refused = client.get("/api/v1/products/A", headers=bearer(roles=["sales"]))
    assert refused.status_code == 503 and refused.headers["Retry-After"]
    assert refused.mimetype == "application/problem+json"
    assert status(client, "admin") == 200
    published["answers"] = True
    assert status(client, "sales") == 200


def test_requests_arriving_together_before_any_rule_is_known_share_one_answer():
    """The first customer's requests to a service come in a burst: one asks the service,
    the others wait for its answer instead of being refused."""
    asked = []

    def slow_document(service):
        asked.append(service)
        threading.Event().wait(0.2)
        return {"x-access": [{**RULE, "roles": ["sales"]}]}

    learned = rules.LearnedRules(slow_document, lambda path: "inventory", ttl=60)
    answers = []
    callers = [
        threading.Thread(
            target=lambda: answers.append(learned.allows(["sales"], "GET", "/products"))
        )
        for _ in range(8)
    ]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert answers == [True] * 8
    assert asked == ["inventory"]
