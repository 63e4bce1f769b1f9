"""Which pages a user sees: each page is shown only to a role the API would let make the call
the page is for (the rules the gateway learned from the services, gateway.rules, so the menu
cannot drift from them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gateway.console.session import User


@dataclass(frozen=True)
class Page:
    title: str
    endpoint: str
    shown: Callable[[User], bool]


def _may(method: str, path: str) -> Callable[[User], bool]:
    return lambda user: user.can(method, path)


PAGES = (
    Page("Dashboard", "console.dashboard", _may("GET", "/analytics/summary")),
    Page("Customers", "console.customers", _may("GET", "/customers")),
    Page("My account", "console.account", lambda user: user.is_customer),
    Page("Orders", "console.orders", _may("GET", "/orders")),
    Page("New order", "console.new_order", _may("POST", "/orders")),
    Page("To ship", "console.shipping", _may("POST", "/orders/any/ship")),
    Page("Stock", "console.stock", _may("GET", "/stock")),
    Page("Receive", "console.new_receipt", _may("POST", "/receipts")),
    Page("Reorder", "console.reorder_alerts", _may("GET", "/reorder-alerts")),
    Page("Returns", "console.returns", _may("GET", "/returns")),
    Page("Tickets", "console.tickets", _may("GET", "/tickets")),
)

# Where each role starts: the page its day begins with.
LANDING = {
    "admin": "console.dashboard",
    "analyst": "console.dashboard",
    "sales": "console.customers",
    "support": "console.tickets",
    "warehouse": "console.shipping",
    "customer": "console.orders",
}


def pages_for(user: User) -> list[Page]:
    return [page for page in PAGES if page.shown(user)]


def landing(user: User) -> str:
    for role in LANDING:
        if role in user.roles:
            return LANDING[role]
    return "console.orders"
