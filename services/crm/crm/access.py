"""Who may call the crm service's routes (erp_shared.access explains the roles and how a
rule decides); checked here and, learned from the API document, by the gateway."""

from __future__ import annotations

from erp_shared.access import ID, READ, WRITE, rule

RULES = (
    rule(READ, r"/customers", "sales", "support", "analyst"),
    rule({"POST"}, r"/customers", "sales"),
    rule(READ, rf"/customers/{ID}", "sales", "support", "analyst", "customer"),
    rule({"PATCH"}, rf"/customers/{ID}", "sales", "customer"),
    rule({"POST"}, rf"/customers/{ID}/merge", "sales"),
    rule({"POST"}, rf"/customers/{ID}/erase"),
    rule(READ, rf"/customers/{ID}/(interactions|timeline)", "sales", "support", "analyst"),
    rule({"POST"}, rf"/customers/{ID}/interactions", "sales", "support"),
    rule(READ, r"/(campaigns|segments)(/.*)?", "sales", "analyst"),
    # Campaigns are sales' to run; segments (customers grouped by how they buy) are also the
    # analysts' to define, as analysis.
    rule(WRITE, r"/campaigns(/.*)?", "sales"),
    rule(WRITE, r"/segments(/.*)?", "sales", "analyst"),
    rule(READ, r"/tickets(/.*)?", "support", "sales", "analyst", "customer"),
    rule({"POST"}, r"/tickets", "support", "sales", "customer"),
    rule({"POST"}, rf"/tickets/{ID}/comments", "support", "customer"),
    rule({"PATCH"}, rf"/tickets/{ID}", "support"),
)
