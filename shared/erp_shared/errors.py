"""Business refusals: what a use case says when it will not do what it was asked.

They carry no HTTP status and no retry policy: the HTTP edge (erp_shared.web) renders each kind
as problem+json, and a worker treats any of them as a final answer to the event (acked,
recorded, counted), never as a reason to redeliver. The unit of work rolls back when one is
raised, so nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

# The most one document line may be worth; 500 such lines still fit erp_shared.db.Money.
MAX_LINE_VALUE = Decimal(10) ** 12


class Refused(Exception):
    """Base of every business refusal; `errors` maps input fields to what is wrong with them."""

    def __init__(self, detail: str, errors: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class Unknown(Refused):
    """The thing the request is about does not exist (or is not the caller's to see)."""


class Invalid(Refused):
    """The request names or carries something the rules do not accept."""


class Conflict(Refused):
    """The request clashes with what already exists: a taken key, a reused idempotency key."""


class NotAllowed(Refused):
    """The thing exists, but its current state does not allow this move."""


class Insufficient(Refused):
    """Not enough of something (stock, credit) to do what was asked."""


class Unauthenticated(Refused):
    """The caller could not be identified."""


class Forbidden(Refused):
    """The caller is known but may not do this."""


class TooSoon(Refused):
    """The caller must wait before asking again (`retry_after` seconds)."""

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after


def refuse_unknown_skus(lines: list[dict], known, detail: str) -> None:
    """Refuse lines naming SKUs outside `known`, each reported at its position in the request."""
    unknown = {
        str(index): {"sku": [f"Unknown SKU {line['sku']}."]}
        for index, line in enumerate(lines)
        if line["sku"] not in known
    }
    if unknown:
        raise Invalid(detail, {"lines": unknown})


def refuse_overvalued_lines(lines: list[dict], unit_amount: Callable[[dict], Decimal]) -> None:
    """Refuse lines worth more than MAX_LINE_VALUE (quantity × their unit amount), each at its
    position in the request: amounts are kept as 64-bit integer ten-thousandths
    (erp_shared.db.Money), and a document of many such lines must still add up there."""
    overvalued = {
        str(index): {"quantity": [f"A line is worth at most {MAX_LINE_VALUE:,}."]}
        for index, line in enumerate(lines)
        if unit_amount(line) * line["quantity"] > MAX_LINE_VALUE
    }
    if overvalued:
        raise Invalid("A line is worth more than the system keeps.", {"lines": overvalued})
