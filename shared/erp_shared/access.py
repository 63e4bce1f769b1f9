"""Who may do what: one table of rules by method and path under /api/v1, checked by the
gateway before it forwards a request and again by the service that answers it (defence in
depth: a request that reaches a service's port directly meets the same rules).

The roles (ROLES, the one list of them): `admin` may do everything, and alone approves an
order over its credit limit; `sales` sells (customers, campaigns, segments, orders, returns,
invoices); `warehouse` keeps stock (products, receipts, adjustments, shipping and
delivering, receiving returns); `support` serves (tickets, interactions, returns asked for
by a customer, reading customers and orders); `analyst` reads everything, runs analytics and
defines segments; `customer` reaches only its own record, orders, invoices, returns and
tickets, and the catalogue. docs/security.md shows the same table for people.

Which records are a customer's own is each service's business (see
`erp_shared.web.own_customer`); here a customer is only let through to the routes where it
may have some.

A path no rule names is refused to everyone but admin: a new route is closed until a rule
opens it, and the table test over the API document shows which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ROLES = ("admin", "sales", "warehouse", "support", "analyst", "customer")
READ = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ANY = READ | WRITE
STAFF_READERS = frozenset({"sales", "warehouse", "support", "analyst"})

ID = r"[^/]+"


@dataclass(frozen=True)
class Rule:
    methods: frozenset[str]
    path: re.Pattern[str]
    roles: frozenset[str]


def _rule(methods, path: str, *roles: str) -> Rule:
    return Rule(frozenset(methods), re.compile(f"^{path}$"), frozenset(roles))


# What anyone may call without a token: signing in, and refreshing with a refresh token.
PUBLIC = (_rule({"POST"}, r"/auth/(token|refresh)"),)

RULES = (
    # The gateway's own: users and the audit trail are the admin's alone.
    _rule(ANY, r"/auth/users(/.*)?"),
    _rule({"POST"}, r"/auth/logout", *ROLES),
    _rule(READ, r"/audit"),
    # CRM
    _rule(READ, r"/customers", "sales", "support", "analyst"),
    _rule({"POST"}, r"/customers", "sales"),
    _rule(READ, rf"/customers/{ID}", "sales", "support", "analyst", "customer"),
    _rule({"PATCH"}, rf"/customers/{ID}", "sales", "customer"),
    _rule({"POST"}, rf"/customers/{ID}/merge", "sales"),
    _rule({"POST"}, rf"/customers/{ID}/erase"),
    _rule(READ, rf"/customers/{ID}/(interactions|timeline)", "sales", "support", "analyst"),
    _rule({"POST"}, rf"/customers/{ID}/interactions", "sales", "support"),
    _rule(READ, r"/(campaigns|segments)(/.*)?", "sales", "analyst"),
    # Campaigns are sales' to run; segments (customers grouped by how they buy) are also the
    # analysts' to define, as analysis.
    _rule(WRITE, r"/campaigns(/.*)?", "sales"),
    _rule(WRITE, r"/segments(/.*)?", "sales", "analyst"),
    _rule(READ, r"/tickets(/.*)?", "support", "sales", "analyst", "customer"),
    _rule({"POST"}, r"/tickets", "support", "sales", "customer"),
    _rule({"POST"}, rf"/tickets/{ID}/comments", "support", "customer"),
    _rule({"PATCH"}, rf"/tickets/{ID}", "support"),
    # Orders, invoices, returns
    _rule(READ, r"/orders(/.*)?", *STAFF_READERS, "customer"),
    _rule({"POST"}, r"/orders", "sales", "customer"),
    _rule({"POST"}, r"/orders/import", "sales"),
    # Letting an order over its customer's credit limit through is the admin's decision.
    _rule({"POST"}, rf"/orders/{ID}/approve"),
    _rule({"POST"}, rf"/orders/{ID}/cancel", "sales", "customer"),
    _rule({"POST"}, rf"/orders/{ID}/(ship|deliver)", "warehouse"),
    _rule(READ, r"/invoices(/.*)?", "sales", "support", "analyst", "customer"),
    _rule({"POST"}, rf"/invoices/{ID}/pay", "sales"),
    _rule(READ, r"/returns(/.*)?", *STAFF_READERS, "customer"),
    # Support opens a return for a customer who asks for one, as the customer may itself.
    _rule({"POST"}, r"/returns", "sales", "support", "customer"),
    _rule({"POST"}, rf"/returns/{ID}/receive", "warehouse"),
    # Inventory: the catalogue is open to customers, the rest to staff.
    _rule(READ, r"/products(/.*)?", *STAFF_READERS, "customer"),
    _rule(READ, r"/(stock|warehouses)(/.*)?", *STAFF_READERS),
    _rule(READ, r"/(movements|reorder-alerts|inventory/turnover)", "warehouse", "analyst"),
    _rule(WRITE, r"/(products|receipts|adjustments|transfers|warehouses)(/.*)?", "warehouse"),
    # Analytics
    _rule(ANY, r"/analytics/.*", "analyst"),
)


def is_public(method: str, path: str) -> bool:
    return any(method in rule.methods and rule.path.match(path) for rule in PUBLIC)


def allowed(roles, method: str, path: str) -> bool:
    """Whether a caller with these roles may call `method path` (path under /api/v1)."""
    if "admin" in roles:
        return True
    for rule in RULES:
        if method in rule.methods and rule.path.match(path):
            return bool(rule.roles.intersection(roles))
    return False


def is_customer_only(roles) -> bool:
    """A caller whose only role is customer: what it reaches is limited to its own."""
    return set(roles) == {"customer"}
