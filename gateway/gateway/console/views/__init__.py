"""The console's pages, one module per kind of work; importing this adds their routes."""

from gateway.console.views import (
    customers,
    dashboard,
    language,
    orders,
    placing,
    returns,
    signing,
    tickets,
    warehouse,
    webhooks,
)

__all__ = [
    "customers",
    "dashboard",
    "language",
    "orders",
    "placing",
    "returns",
    "signing",
    "tickets",
    "warehouse",
    "webhooks",
]
