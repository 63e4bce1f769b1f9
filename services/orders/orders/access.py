"""Who may call the orders service's routes: orders, invoices, returns (erp_shared.access
explains the roles and how a rule decides); checked here and, learned from the API document,
by the gateway."""

from __future__ import annotations

from erp_shared.access import ID, READ, STAFF_READERS, rule

RULES = (
    rule(READ, r"/orders(/.*)?", *STAFF_READERS, "customer", "integration"),
    rule({"POST"}, r"/orders", "sales", "customer"),
    rule({"POST"}, r"/orders/import", "sales"),
    # Letting an order over its customer's credit limit through is the admin's decision.
    rule({"POST"}, rf"/orders/{ID}/approve"),
    rule({"POST"}, rf"/orders/{ID}/cancel", "sales", "customer"),
    rule({"POST"}, rf"/orders/{ID}/(ship|deliver)", "warehouse"),
    rule(READ, r"/invoices(/.*)?", "sales", "support", "analyst", "customer"),
    rule({"POST"}, rf"/invoices/{ID}/pay", "sales"),
    rule(READ, r"/returns(/.*)?", *STAFF_READERS, "customer"),
    # Support opens a return for a customer who asks for one, as the customer may itself.
    rule({"POST"}, r"/returns", "sales", "support", "customer"),
    rule({"POST"}, rf"/returns/{ID}/receive", "warehouse"),
)
