"""Who may call the analytics service's routes (erp_shared.access explains the roles and how
a rule decides); checked here and, learned from the API document, by the gateway."""

from __future__ import annotations

from erp_shared.access import ANY, rule

RULES = (rule(ANY, r"/analytics/.*", "analyst"),)
