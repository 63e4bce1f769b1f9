"""Who may do what: the roles, the shape of a rule and how rules decide. The rules themselves
are each service's, declared beside its routes (`<service>/access.py`): the service checks
them on every request (erp_shared.web) and publishes them in its OpenAPI document under
`x-access`, where the gateway learns them (gateway.rules) to check them before it forwards
(defence in depth: a request that reaches a service's port directly meets the same rules).
Adding a route or changing who may call it never touches this module.

The roles (ROLES, the one list of them): `admin` may do everything, and alone approves an
order over its credit limit; `sales` sells (customers, campaigns, segments, orders, returns,
invoices); `warehouse` keeps stock (products, receipts, adjustments, shipping and
delivering, receiving returns); `support` serves (tickets, interactions, returns asked for
by a customer, reading customers and orders); `analyst` reads everything, runs analytics and
defines segments; `customer` reaches only its own record, orders, invoices, returns and
tickets, and the catalogue; `integration` is a machine's (a shop front, a shipping or
accounting system calling with an API key): it reads orders, the catalogue and stock and
keeps its own webhook subscriptions. docs/security.md shows the rules for people.

Which records are a customer's own is each service's business (see
`erp_shared.web.own_customer`); a rule only lets a customer through to the routes where it
may have some.

A path no rule names is refused to everyone but admin: a new route is closed until a rule
opens it, and the table test over the API documents shows which.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

ROLES = ("admin", "sales", "warehouse", "support", "analyst", "customer", "integration")
READ = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ANY = READ | WRITE
STAFF_READERS = frozenset({"sales", "warehouse", "support", "analyst"})

ID = r"[^/]+"
# Where a service's OpenAPI document carries its rules.
EXTENSION = "x-access"


class RulesUnknown(Exception):
    """The rules deciding a path are not known yet (the gateway has not heard them from the
    service that owns it): only admin, who needs none, may be let through."""


@dataclass(frozen=True)
class Rule:
    """`methods` on paths (under /api/v1) matching `path` are for `roles`; admin's always."""

    methods: frozenset[str]
    path: re.Pattern[str]
    roles: frozenset[str]


def rule(methods, path: str, *roles: str) -> Rule:
    """A rule for a path pattern written as a regular expression matched whole."""
    return Rule(frozenset(methods), re.compile(f"^{path}$"), frozenset(roles))


def covers(rules: Iterable[Rule], method: str, path: str) -> bool:
    """Whether some rule names `method path`, whoever it lets through."""
    return any(method in each.methods and each.path.match(path) for each in rules)


def allowed(rules: Iterable[Rule], roles, method: str, path: str) -> bool:
    """Whether a caller with these roles may call `method path` (path under /api/v1): the
    first rule naming it decides."""
    if "admin" in roles:
        return True
    for each in rules:
        if method in each.methods and each.path.match(path):
            return bool(each.roles.intersection(roles))
    return False


def is_customer_only(roles) -> bool:
    """A caller whose only role is customer: what it reaches is limited to its own."""
    return set(roles) == {"customer"}


def published(rules: Iterable[Rule]) -> list[dict]:
    """The rules as a service's OpenAPI document carries them, in the order they decide."""
    return [
        {
            "methods": sorted(each.methods),
            "path": each.path.pattern,
            "roles": sorted(each.roles),
        }
        for each in rules
    ]


def read_published(entries: list[dict]) -> tuple[Rule, ...]:
    """Rules back from a document's `x-access`."""
    return tuple(
        Rule(frozenset(entry["methods"]), re.compile(entry["path"]), frozenset(entry["roles"]))
        for entry in entries
    )
