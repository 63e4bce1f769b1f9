"""What every CRM package decides the same way, free of Flask and SQL: which of a customer's
own requests set what only staff may (a customer's credit limit, a ticket's priority). The
customers' and the tickets' refusals name the fields alike because they come from here."""

from __future__ import annotations

from erp_shared.errors import Forbidden


def refuse_staff_only(asked: dict, staff_only: tuple[str, ...]) -> None:
    """Refuse a customer's request that sets what only staff may, naming each such field."""
    taken = {name: ["Only staff may set this."] for name in staff_only if name in asked}
    if taken:
        raise Forbidden(f"A customer may not set {', '.join(taken)}.", taken)
