"""Every operation in the API documents, at its service and through the gateway: no token is
401, a role the access rules do not allow is 403. The list comes from the documents, so a
new route is tried the day it is written, and must have a rule of its own in its service's
table, which the service's document publishes and the gateway learns from it."""

from __future__ import annotations

import re
import threading

import pytest
from werkzeug.serving import make_server

from erp_shared import access
from erp_shared.config import SERVICES
from erp_testing import bearer, service_app
from gateway.rules import OWN_RULES, PUBLIC

pytestmark = pytest.mark.integration

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    folder = tmp_path_factory.mktemp("apps")
    built = {name: service_app(name, f"sqlite:///{folder / name}.db") for name in SERVICES}
    # The gateway learns each service's rules from its document, so the services answer on
    # ports of their own; nothing allowed is sent, so nothing is forwarded past the rules.
    servers = {name: make_server("127.0.0.1", 0, app, threaded=True) for name, app in built.items()}
    for server in servers.values():
        threading.Thread(target=server.serve_forever, daemon=True).start()
    # Refusals count against the caller's allowance: this test makes thousands in a second.
    built["gateway"] = service_app(
        "gateway",
        f"sqlite:///{folder / 'gateway'}.db",
        service_urls={
            name: f"http://127.0.0.1:{server.server_port}" for name, server in servers.items()
        },
        rate_limit="100000/minute",
        expensive_rate_limit="100000/minute",
    )
    yield built
    for server in servers.values():
        server.shutdown()


def rules_of(apps, name: str) -> tuple[access.Rule, ...]:
    """A service's rules as its document publishes them; the gateway's own for the gateway."""
    if name == "gateway":
        return OWN_RULES
    document = apps[name].test_client().get("/openapi.json").json
    return access.read_published(document[access.EXTENSION])


def operations(app) -> list[tuple[str, str]]:
    document = app.test_client().get("/openapi.json").json
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "x1", path))
        for path, item in document["paths"].items()
        for method in METHODS
        if method in item and path.startswith("/api/v1/")
    ]


def documented(apps) -> list[tuple[str, str, str]]:
    """Every operation that needs a token, by the app that documents it."""
    return [
        (name, method, path)
        for name, app in apps.items()
        for method, path in operations(app)
        if not access.covers(PUBLIC, method, path.removeprefix("/api/v1"))
    ]


def test_every_documented_operation_has_its_own_rule(apps):
    for name, method, path in documented(apps):
        assert access.covers(rules_of(apps, name), method, path.removeprefix("/api/v1")), (
            f"{method} {path} has no rule in {name}'s table"
        )


def test_no_token_is_401_and_a_role_not_allowed_is_403_at_the_service_and_the_gateway(apps):
    tried = 0
    for name, method, path in documented(apps):
        relative = path.removeprefix("/api/v1")
        rules = rules_of(apps, name)
        for where in {name, "gateway"}:
            client = apps[where].test_client()
            anonymous = client.open(path, method=method, json={})
            assert anonymous.status_code == 401, (where, method, path)
            for role in access.ROLES:
                if access.allowed(rules, [role], method, relative):
                    continue
                headers = bearer(roles=[role], customer_id="someone")
                answer = client.open(path, method=method, json={}, headers=headers)
                assert answer.status_code == 403, (where, role, method, path, answer.json)
                assert answer.mimetype == "application/problem+json"
                tried += 1
    assert tried > 200
