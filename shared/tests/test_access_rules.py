"""The decisions docs/security.md states about who may do what are the rule table's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from erp_shared.access import ROLES, allowed

DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"


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
    assert allowed(roles, method, path) is may


def test_the_docs_name_every_role_once():
    table = DOCS.read_text().split("## Who may do what", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| (\w+) \|", table, flags=re.MULTILINE)
    assert sorted(set(documented) - {"Role"}) == sorted(ROLES)
