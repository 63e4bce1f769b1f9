"""The rules of webhook subscriptions and their deliveries, with no I/O: which targets may be
called, when a failed delivery is tried again and when its subscription is given up on,
which deliveries must keep their order, what a signing secret looks like.

A target's addresses are looked up by the caller (`resolve`), so the policy is the same
function at subscription time and before every sending, and a test can name any address.
"""

from __future__ import annotations

import base64
import functools
import ipaddress
import json
import random
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from erp_shared.events import PAYLOADS, Event, Payload

STATUSES = ("active", "paused", "disabled")
# What an admin may set; `disabled` is the dispatcher's verdict, lifted by setting `active`.
SETTABLE_STATUSES = ("active", "paused")
MAX_URL_LENGTH = 2000
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
# How long a replaced secret still signs deliveries, so a receiver can switch without a gap.
SECRET_GRACE = timedelta(hours=24)

# The wait before each retry, the last repeated: each wait is drawn between zero and this
# (full jitter), so receivers that failed together are not all called again at once.
RETRY_CAPS = tuple(
    timedelta(seconds=seconds)
    for seconds in (5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800)
)
# A delivery that still fails this long after its first failure exhausts the schedule: its
# subscription is disabled, with the reason, until an admin turns it on again.
GIVE_UP_AFTER = timedelta(hours=24)
# How long a delivered event stays in the delivery log (and can be replayed): the log would
# otherwise grow by every event every subscriber took, for ever.
DELIVERIES_KEPT = timedelta(days=30)
# How long a dispatcher holds a delivery it is sending: one that dies meanwhile leaves the
# delivery pending, and it is sent again (same webhook-id) once this has passed.
SENDING_LEASE = timedelta(seconds=60)

# The payload fields naming what an event is about, the first one present decides: events
# about the same order (or customer, product...) reach a subscriber in the order they came.
SUBJECT_FIELDS = ("order_id", "return_id", "invoice_id", "ticket_id", "customer_id", "sku")


# What an integration may not be told: events carrying people's names and e-mail addresses,
# which its role may not read (an admin's subscription may take them).
PERSONAL_EVENTS = frozenset(name for name in PAYLOADS if name.startswith("customer."))


def owner_of(principal: dict) -> str | None:
    """Whose subscriptions a caller sees and keeps: an admin every one (None), anyone else
    (an integration) those it made."""
    return None if "admin" in (principal.get("roles") or []) else principal.get("sub")


def event_problems(events: Iterable[str], owner: str | None) -> list[str]:
    """Event types a caller may not subscribe to: personal data, unless an admin."""
    if owner is None:
        return []
    return [f"{name} carries personal data." for name in sorted(set(events) & PERSONAL_EVENTS)]


def new_secret() -> str:
    """A signing secret as Standard Webhooks writes one: `whsec_` and base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


@dataclass(frozen=True)
class Secrets:
    """The secret that signs, and the one it replaced while that is in its grace period."""

    current: str
    previous: str | None = None
    previous_until: datetime | None = None

    def signing(self, now: datetime) -> list[str]:
        """Every secret a delivery sent now is signed with, the current one first."""
        if self.previous and self.previous_until and now < self.previous_until:
            return [self.current, self.previous]
        return [self.current]


def subject_of(event_type: str, data: dict, event_id: str) -> str:
    """The aggregate an event is about, for keeping deliveries in order; an event about
    nothing named is ordered with nothing (its own id)."""
    for name in SUBJECT_FIELDS:
        if data.get(name):
            return f"{name}:{data[name]}"[:200]
    return f"event:{event_id}"


def retry_delay(failures: int, rng: random.Random) -> timedelta:
    """How long to wait after the `failures`-th failure in a row (1 for the first)."""
    cap = RETRY_CAPS[min(failures, len(RETRY_CAPS)) - 1]
    return cap * rng.random()


def gives_up(first_failed_at: datetime, now: datetime) -> bool:
    """Whether a delivery failing now has failed for as long as the schedule lasts."""
    return now - first_failed_at >= GIVE_UP_AFTER


Resolve = Callable[[str], Iterable[str]]


def url_problems(
    url: str, *, development: bool, allowed_hosts: Iterable[str], resolve: Resolve
) -> list[str]:
    """What keeps `url` from being a webhook target (none: it may be). Outside development
    only https, and only hosts whose every address is public, unless the allow-list names the
    host: the gateway must not be made to call what sits behind it (SSRF). In development
    any http(s) target goes, a receiver on this machine included."""
    if len(url) > MAX_URL_LENGTH:
        return [f"At most {MAX_URL_LENGTH} characters."]
    try:
        parts = urlsplit(url)
        # Reading the port checks that it is a number.
        host, _port = parts.hostname, parts.port
    except ValueError:
        return ["Not a URL."]
    schemes = ("http", "https") if development else ("https",)
    if parts.scheme not in schemes:
        return [f"The scheme must be {' or '.join(schemes)}."]
    if not host:
        return ["The URL names no host."]
    if parts.username is not None or parts.password is not None:
        return ["Credentials do not belong in the URL; the signature authenticates us."]
    if development or host in set(allowed_hosts):
        return []
    try:
        addresses = list(resolve(host))
    except OSError:
        return [f"The host {host} does not resolve."]
    if not addresses:
        return [f"The host {host} does not resolve."]
    refused = [address for address in addresses if not is_public(address)]
    if refused:
        return [f"The host {host} resolves to a non-public address ({refused[0]})."]
    return []


def is_public(address: str) -> bool:
    """An address on the internet: not loopback, link-local, private, unspecified, multicast
    or reserved (an IPv4 address written as IPv6 is judged as itself)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_loopback
        or ip.is_link_local
        or ip.is_private
        or ip.is_unspecified
        or ip.is_multicast
        or ip.is_reserved
    )


@dataclass(frozen=True)
class Outgoing:
    """A delivery a dispatcher holds to send: the webhook-id (the event's id, the same at
    every attempt), the target, the body as queued and the secrets that sign it now."""

    delivery_id: int
    webhook_id: str
    subscription_id: str
    url: str
    body: str
    secrets: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to: the receiver's status code, or why there was none."""

    status_code: int | None
    error: str | None
    latency_ms: int

    @property
    def delivered(self) -> bool:
        """Only a 2xx counts: a redirect is not followed, so it is a failure too."""
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def reason(self) -> str:
        return f"HTTP {self.status_code}" if self.status_code is not None else str(self.error)


def body_of(event: Event) -> str:
    """The JSON a receiver gets: the event's envelope as it travelled on the bus."""
    return json.dumps(
        {
            "id": event.id,
            "type": event.type,
            "version": event.version,
            "occurred_at": event.occurred_at.isoformat(),
            "producer": event.producer,
            "correlation_id": event.correlation_id,
            "causation_id": event.causation_id,
            "data": _payload_schema(event.type).dump(event.data),
        },
        separators=(",", ":"),
    )


@functools.cache
def _payload_schema(event_type: str) -> Payload:
    """One schema per type: building one costs more than dumping with it."""
    return PAYLOADS[event_type]()
