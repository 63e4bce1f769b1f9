"""What the webhook worker does with each event it takes from the bus: every type of the
contract, since a subscription may name any of them."""

from __future__ import annotations

from erp_shared.events import PAYLOADS
from gateway.webhooks.service import queue_deliveries

HANDLERS = dict.fromkeys(PAYLOADS, queue_deliveries)
