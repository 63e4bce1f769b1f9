"""Which pages a user sees: each page is shown only to a role the API would let make the call
the page is for (the rules the gateway learned from the services, gateway.rules, so the menu
cannot drift from them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _

from gateway.console.session import User


@dataclass(frozen=True)
class Page:
    title: str  # lazy_gettext (as `_`, a keyword pybabel extracts): read in the reader's language
    endpoint: str
    shown: Callable[[User], bool]


def _may(method: str, path: str) -> Callable[[User], bool]:
    return lambda user: user.can(method, path)


PAGES = (
    Page(_("Dashboard"), "console.dashboard", _may("GET", "/analytics/summary")),
    Page(_("Customers"), "console.customers", _may("GET", "/customers")),
    Page(_("My account"), "console.account", lambda user: user.is_customer),
    Page(_("Orders"), "console.orders", _may("GET", "/orders")),
    Page(_("New order"), "console.new_order", _may("POST", "/orders")),
    Page(_("To ship"), "console.shipping", _may("POST", "/orders/any/ship")),
    Page(_("Stock"), "console.stock", _may("GET", "/stock")),
    Page(_("Receive"), "console.new_receipt", _may("POST", "/receipts")),
    Page(_("Reorder"), "console.reorder_alerts", _may("GET", "/reorder-alerts")),
    Page(_("Invoices"), "console.invoices", _may("GET", "/invoices")),
    Page(_("Returns"), "console.returns", _may("GET", "/returns")),
    Page(_("Tickets"), "console.tickets", _may("GET", "/tickets")),
    Page(_("Webhooks"), "console.webhooks", _may("GET", "/webhooks")),
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
