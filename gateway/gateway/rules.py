"""Who may call what, as the gateway checks it before it forwards: its own routes' rules
here, every service's learned from that service's OpenAPI document (its `x-access`, written
from the service's own table), so a rule changed in a service reaches the gateway without a
change to the gateway or the shared kernel.

A service's rules are fetched the first time a path of it is asked for and kept for the
gateway's rules_ttl (GATEWAY_RULES_TTL, a minute unless set), then fetched again (the old
ones kept if the service does not answer): a service redeployed with other rules is obeyed
within that time.
While a service's rules are not known (it has not answered yet) its paths are refused with
503 and Retry-After to everyone but admin, who may call anything and needs no rule; a service
that cannot be reached is asked again at most every RETRY_SECONDS.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable

from erp_shared import access
from erp_shared.access import ANY, READ, ROLES, rule

# What anyone may call without a token: signing in, and refreshing with a refresh token.
PUBLIC = (rule({"POST"}, r"/auth/(token|refresh)"),)

# The gateway's own: users, integration accounts and the audit trail are the admin's alone;
# an integration keeps webhook subscriptions too, its own only (gateway.webhooks.service).
OWN_RULES = (
    rule(ANY, r"/auth/(users|integrations)(/.*)?"),
    rule({"POST"}, r"/auth/logout", *ROLES),
    rule(READ, r"/audit"),
    rule(ANY, r"/webhooks(/.*)?", "integration"),
)

log = logging.getLogger(__name__)

RETRY_SECONDS = 2.0


class LearnedRules:
    """Each service's rules, as its document last told them; `document(service)` fetches a
    service's OpenAPI document (None when it cannot be had), `owner(path)` names the service
    a path under /api/v1 goes to (None for the gateway's own)."""

    def __init__(
        self,
        document: Callable[[str], dict | None],
        owner: Callable[[str], str | None],
        ttl: float,
    ):
        self._document = document
        self._owner = owner
        self._ttl = ttl
        self._known: dict[str, tuple[float, tuple[access.Rule, ...]]] = {}
        self._next_try: dict[str, float] = {}
        self._fetching: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def rules_for(self, path: str) -> tuple[access.Rule, ...]:
        """The rules deciding `path` (under /api/v1); RulesUnknown while its service's are
        not known."""
        service = self._owner(path)
        if service is None:
            return OWN_RULES
        return self.of(service)

    def of(self, service: str) -> tuple[access.Rule, ...]:
        """The service's rules, asked for again once they are older than the TTL. One
        request asks at a time: while rules are known, the others go by them meanwhile (a
        service that hangs holds up one request, not all); while none are known yet, they
        wait for that answer. A service that did not answer is asked again after
        RETRY_SECONDS."""
        learned_at, rules = self._known.get(service, (None, None))
        if learned_at is not None and time.monotonic() - learned_at <= self._ttl:
            return rules
        fetching = self._fetching_lock(service)
        if fetching.acquire(blocking=rules is None):
            try:
                self._fetch_if_due(service, rules)
            finally:
                fetching.release()
        learned_at, rules = self._known.get(service, (None, None))
        if rules is None:
            raise access.RulesUnknown(f"the {service} service has not told its rules")
        return rules

    def _fetching_lock(self, service: str) -> threading.Lock:
        with self._lock:
            return self._fetching.setdefault(service, threading.Lock())

    def _fetch_if_due(self, service: str, seen) -> None:
        """Ask unless another request learned the rules while this one waited, or the
        service failed to answer less than RETRY_SECONDS ago."""
        now = time.monotonic()
        learned_at, rules = self._known.get(service, (None, None))
        if rules is not seen and learned_at is not None and now - learned_at <= self._ttl:
            return
        if now < self._next_try.get(service, 0.0):
            return
        document = self._document(service)
        if document is None or not self.learn(service, document):
            self._next_try[service] = now + RETRY_SECONDS

    def learn(self, service: str, document: dict) -> bool:
        """Keep the rules a service's document carries (one fetched for the merged API
        document, too); False when it carries none that can be read."""
        entries = document.get(access.EXTENSION)
        try:
            rules = access.read_published(entries)
        except (AttributeError, KeyError, TypeError, re.error):
            log.warning("the %s service's document has no readable %s", service, access.EXTENSION)
            return False
        with self._lock:
            self._known[service] = (time.monotonic(), rules)
        return True

    def allows(self, roles, method: str, path: str) -> bool:
        """Whether these roles may call `method path`; not while the rules are unknown."""
        if "admin" in roles:
            return True
        try:
            return access.allowed(self.rules_for(path), roles, method, path)
        except access.RulesUnknown:
            return False
