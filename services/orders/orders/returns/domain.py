"""Returns, free of Flask and SQL: what may come back, and what its arrival starts.

A return may be asked for shipped goods only, never more than shipped and not yet returned
(nor already asked for on another open return), and within the return window after the last
shipment. It is received once, with each line's condition; a refund then gets a credit note,
an exchange a free replacement order for the same goods. A return keeps whether it changed
since it was loaded or last saved, so saving an unchanged one writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from erp_shared.errors import Invalid, NotAllowed

RESOLUTIONS = ("refund", "exchange")
CONDITIONS = ("resellable", "damaged")
RETURNABLE_STATUSES = ("partially_shipped", "shipped", "delivered")


@dataclass
class Return:
    id: str
    order_id: str
    customer_id: str
    resolution: str
    lines: list[dict]
    requested_by: str
    created_at: datetime
    status: str = "requested"
    received_at: datetime | None = None
    credit_note_id: str | None = None
    replacement_order_id: str | None = None
    changed: bool = field(default=False, repr=False)
    pending_events: list[tuple[str, dict]] = field(default_factory=list, repr=False)

    @classmethod
    def request(
        cls,
        *,
        order_status: str,
        returnable: dict[str, int],
        last_shipped_at: datetime | None,
        window_days: int,
        **details,
    ) -> Return:
        """Refused (422) for an order not shipped, too many units, or too late."""
        if order_status not in RETURNABLE_STATUSES:
            raise Invalid(
                f"A {order_status} order has nothing to return.",
                {"order_id": ["Only shipped or delivered orders take returns."]},
            )
        too_many = {
            str(index): {"quantity": [f"At most {returnable.get(line['sku'], 0)} can come back."]}
            for index, line in enumerate(details["lines"])
            if line["quantity"] > returnable.get(line["sku"], 0)
        }
        if too_many:
            raise Invalid("More is asked back than was shipped.", {"lines": too_many})
        deadline = last_shipped_at + timedelta(days=window_days)
        if details["created_at"] > deadline:
            raise Invalid(
                f"The return window closed on {deadline.date()}.",
                {"order_id": [f"Returns are taken {window_days} days after shipment."]},
            )
        ret = cls(**details)
        ret.pending_events.append(("return.requested", ret._event(ret.lines)))
        return ret

    def _event(self, lines: list[dict]) -> dict:
        return {
            "return_id": self.id,
            "order_id": self.order_id,
            "resolution": self.resolution,
            "lines": [
                {"sku": line["sku"], "quantity": line["quantity"]}
                | ({"condition": line["condition"]} if "condition" in line else {})
                for line in lines
            ],
        }

    def receive(self, received: list[dict], at: datetime) -> dict[str, int]:
        """The goods arrived, each line in a condition; what came back, per SKU."""
        if self.status != "requested":
            raise NotAllowed(f"Return {self.id} was already received.")
        asked = {line["sku"]: line["quantity"] for line in self.lines}
        wrong = {
            str(index): {"quantity": [f"{asked.get(line['sku'], 0)} were asked back."]}
            for index, line in enumerate(received)
            if line["quantity"] > asked.get(line["sku"], 0)
        }
        if wrong:
            raise Invalid("The goods received are not those asked back.", {"lines": wrong})
        self.status, self.received_at, self.changed = "received", at, True
        self.lines = [
            {
                **line,
                "reason": next(
                    (a.get("reason") for a in self.lines if a["sku"] == line["sku"]), None
                ),
            }
            for line in received
        ]
        self.pending_events.append(("return.received", self._event(received)))
        back: dict[str, int] = {}
        for line in received:
            back[line["sku"]] = back.get(line["sku"], 0) + line["quantity"]
        return back

    def refunded_by(self, credit_note_id: str) -> None:
        self.credit_note_id, self.changed = credit_note_id, True

    def exchanged_for(self, replacement_order_id: str) -> None:
        self.replacement_order_id, self.changed = replacement_order_id, True
