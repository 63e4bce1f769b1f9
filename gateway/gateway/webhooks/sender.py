"""One attempt at a delivery: a signed POST, its answer read no further than a few KiB.

The Standard Webhooks headers are made by the `standardwebhooks` library, the one receivers
verify with: `webhook-id` (the same at every attempt, so a receiver drops a repeat),
`webhook-timestamp` and `webhook-signature`, one `v1,...` per secret signing now, separated
by spaces. No redirect is followed (a 3xx is a failure: a target must not send the gateway
elsewhere) and a slow receiver is given up on after TIMEOUT seconds.
"""

from __future__ import annotations

import time
from datetime import datetime

import requests
from standardwebhooks.webhooks import Webhook

from gateway.webhooks.domain import Outcome, Outgoing

TIMEOUT = 5.0
# The most of an answer read: only its status matters, and a receiver must not make the
# gateway download a large body.
LARGEST_ANSWER = 64 * 1024
USER_AGENT = "erp-webhooks/1"


def headers_for(outgoing: Outgoing, at: datetime) -> dict[str, str]:
    signatures = [
        Webhook(secret).sign(outgoing.webhook_id, at, outgoing.body) for secret in outgoing.secrets
    ]
    return {
        "webhook-id": outgoing.webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signatures),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


def send(session: requests.Session, outgoing: Outgoing, at: datetime) -> Outcome:
    """POST the delivery signed as of `at`; what came of it, never an exception."""
    started = time.perf_counter()
    try:
        with session.post(
            outgoing.url,
            data=outgoing.body.encode(),
            headers=headers_for(outgoing, at),
            timeout=TIMEOUT,
            allow_redirects=False,
            stream=True,
        ) as answer:
            answer.raw.read(LARGEST_ANSWER, decode_content=False)
            status, error = answer.status_code, None
    except requests.RequestException as failure:
        status, error = None, f"{type(failure).__name__}: {failure}"
    return Outcome(status, error, round((time.perf_counter() - started) * 1000))
