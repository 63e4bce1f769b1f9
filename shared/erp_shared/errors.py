"""Business refusals: what a use case says when it will not do what it was asked.

They carry no HTTP status and no retry policy: the HTTP edge (erp_shared.web) renders each kind
as problem+json, and a worker treats any of them as a final answer to the event (acked,
recorded, counted), never as a reason to redeliver. The unit of work rolls back when one is
raised, so nothing is half-written.
"""

from __future__ import annotations


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


def refuse_unknown_skus(lines: list[dict], known, detail: str) -> None:
    """Refuse lines naming SKUs outside `known`, each reported at its position in the request."""
    unknown = {
        str(index): {"sku": [f"Unknown SKU {line['sku']}."]}
        for index, line in enumerate(lines)
        if line["sku"] not in known
    }
    if unknown:
        raise Invalid(detail, {"lines": unknown})
