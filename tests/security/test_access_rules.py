"""The decisions docs/security.md states about who may do what are the services' rule tables'
(each service's `access.py`; the gateway's own in gateway.rules)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analytics.access import RULES as ANALYTICS
from crm.access import RULES as CRM
from erp_shared.access import EXTENSION, ROLES, allowed, read_published
from erp_testing import service_app
from gateway.rules import OWN_RULES as GATEWAY
from inventory.access import RULES as INVENTORY
from orders.access import RULES as ORDERS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"
# Each service's paths are its own, so their tables side by side decide as one would.
EVERY_RULE = (*GATEWAY, *CRM, *ORDERS, *INVENTORY, *ANALYTICS)


@pytest.mark.parametrize(
    ("roles", "method", "path", "may"),
    [
        (["sales"], "POST", "/orders/1/approve", False),
        (["admin"], "POST", "/orders/1/approve", True),
        (["analyst"], "POST", "/campaigns", False),
        (["analyst"], "PATCH", "/campaigns/1", False),
        (["sales"], "POST", "/campaigns", True),
        (["analyst"], "POST", "/segments", True),
        (["support"], "POST", "/returns", True),
        (["support"], "POST", "/returns/1/receive", False),
    ],
)
def test_the_table_decides_as_the_docs_say(roles, method, path, may):
    assert allowed(EVERY_RULE, roles, method, path) is may


def test_the_docs_name_every_role_once():
    table = DOCS.read_text().split("## Who may do what", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| (\w+) \|", table, flags=re.MULTILINE)
    assert sorted(set(documented) - {"Role"}) == sorted(ROLES)


@pytest.mark.parametrize(
    ("service", "table"),
    [("crm", CRM), ("orders", ORDERS), ("inventory", INVENTORY), ("analytics", ANALYTICS)],
)
def test_each_service_publishes_its_own_table_in_its_api_document(databases, service, table):
    app = service_app(service, databases.new("sqlite"))
    document = app.test_client().get("/openapi.json").json
    assert read_published(document[EXTENSION]) == table
