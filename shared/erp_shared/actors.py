"""Who did something, as the caller may see it.

Records keep the username of whoever acted (an order's `placed_by`, a ticket's history),
which staff need. A customer does not: a staff username is half of that person's sign-in.
A customer sees its own name where it acted itself, `staff` where a person of the business
did, and `system` where a service did on an event or a chore (`inventory:stock.reserved`,
`chore:...`; a username holds no colon).
"""

from __future__ import annotations

from flask import g, has_request_context
from marshmallow import fields

from erp_shared import access

STAFF = "staff"
SYSTEM = "system"


def shown(actor: str | None) -> str | None:
    """`actor` as this request's caller may see it."""
    principal = (g.get("principal") if has_request_context() else None) or {}
    if actor is None or not access.is_customer_only(principal.get("roles") or []):
        return actor
    if actor == principal.get("sub"):
        return actor
    return SYSTEM if ":" in actor else STAFF


class Actor(fields.Str):
    """A username in an answer: shown to a customer as a role unless it is the customer's."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(shown(value), attr, obj, **kwargs)
