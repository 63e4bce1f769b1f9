"""Settings read from the environment: the only module that reads it.

Every process (HTTP app, worker, migration run, gunicorn's config) builds its settings once at
start-up, never at import, so tests and gunicorn's forked workers each see the environment
they were given. Defaults let `make up` run the whole system on one machine with SQLite files.
The system's parts, their default ports and the worker-port formula are defined here once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

SERVICES = ("crm", "orders", "inventory", "analytics")
APPS = ("gateway", *SERVICES)
DEFAULT_PORTS = {"gateway": 8080, "crm": 8081, "orders": 8082, "inventory": 8083, "analytics": 8084}
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
WORKER_BASE_PORT = 9180
# Hours to a ticket's first response and to its resolution, per priority.
DEFAULT_SLA = {"urgent": (1, 4), "high": (4, 24), "normal": (8, 72), "low": (24, 168)}
# Who invoices name as the seller, unless ORDERS_SELLER_NAME/_ADDRESS/_TAX_ID say otherwise.
DEFAULT_SELLER = {
    "name": "ERP Trading Company",
    "address": "1 Market Street, Springfield",
    "tax_id": "not set",
}


def worker_port(base: int, service: str, copy: int = 0) -> int:
    """Each service's workers get a block of ten status ports above `base`."""
    return base + 10 * APPS.index(service) + copy


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _typed(name: str, default, kind):
    raw = _env(name)
    if raw is None:
        return default
    try:
        return kind(raw)
    except (ValueError, InvalidOperation):
        raise RuntimeError(f"{name}={raw!r} is not a valid {kind.__name__}") from None


def _rates(name: str) -> dict[str, Decimal]:
    """`category=rate` pairs separated by commas."""
    rates = {}
    for pair in filter(None, (_env(name) or "").split(",")):
        category, _, rate = pair.partition("=")
        try:
            rates[category.strip()] = Decimal(rate.strip())
        except InvalidOperation:
            raise RuntimeError(f"{name}: {pair!r} is not category=rate") from None
    return rates


def _sla(name: str) -> dict[str, tuple[int, int]]:
    """`priority=first/resolution` hours, separated by commas, over the defaults."""
    sla = dict(DEFAULT_SLA)
    for pair in filter(None, (_env(name) or "").split(",")):
        priority, _, hours = pair.partition("=")
        first, _, resolution = hours.partition("/")
        try:
            sla[priority.strip()] = (int(first), int(resolution))
        except ValueError:
            raise RuntimeError(f"{name}: {pair!r} is not priority=first/resolution") from None
    return sla


def app_port(app: str) -> int:
    return _typed(f"{app.upper()}_PORT", DEFAULT_PORTS[app], int)


def service_urls() -> dict[str, str]:
    """Where the gateway finds each service: `<SERVICE>_URL`, else localhost on its port."""
    return {
        service: _env(f"{service.upper()}_URL", f"http://127.0.0.1:{app_port(service)}")
        for service in SERVICES
    }


@dataclass(frozen=True)
class Settings:
    service: str
    database_url: str
    amqp_url: str
    # PostgreSQL: the role the service's processes connect as, when the migrations run as the
    # tables' owner; the migrations grant it what the service needs and nothing more.
    database_app_role: str | None = None
    bus_prefix: str = ""
    environment: str = "development"
    log_level: str = "INFO"
    # json (one object per line, for a log collector) or text (for a person at a terminal).
    log_format: str = "json"
    # Where a process keeps local state in development (SQLite files, the first signing key).
    var_dir: str = "var"
    # The largest request body taken (a CSV import of 100,000 lines fits); larger is 413.
    max_body_bytes: int = 16 * 1024 * 1024
    # Where a service reads the gateway's public keys (its JWKS URL, or file://...); the
    # gateway's own private keys (a folder of Ed25519 PEM files, named by key id) and which
    # of them signs (else the last by name).
    jwks_url: str | None = None
    jwt_keys_dir: str | None = None
    jwt_signing_kid: str | None = None
    jwt_issuer: str = "erp-gateway"
    # How long an access token lasts: the gateway issues them for this long and every app
    # refuses one whose exp - iat is longer, so a leaked signing key cannot mint lasting ones.
    token_lifetime: int = 900
    # How many proxies in front of this app set X-Forwarded-For/-Proto/-Host/-Port: exactly
    # that many hops are believed (0: none, the client talks to the app directly), so the
    # client's address and scheme are the ones rate limits, the audit trail and cookies see.
    trusted_proxy_hops: int = 0
    # The bearer token Prometheus scrapes /metrics with; outside development an app does not
    # start without one, since its metrics name routes, volumes and failures.
    metrics_token: str | None = None
    delivery_limit: int = 5
    prefetch: int = 50
    relay_batch: int = 200
    # How soon a busy relay looks at its outbox again: the first hop of an order placed over
    # HTTP waits half of it on average. It doubles up to bus.RELAY_IDLE_MAX while idle.
    relay_idle_seconds: float = 0.02
    # The worker's status endpoint (metrics, health); none when unset.
    worker_port: int | None = None
    # orders: the tax rate of a product category (ORDERS_TAX_RATES="books=0.05,food=0.07"),
    # else ORDERS_TAX_RATE; the seller an invoice names; days after shipment a return is taken.
    tax_rate: Decimal = Decimal("0")
    tax_rates: dict[str, Decimal] = field(default_factory=dict)
    seller: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SELLER))
    return_days: int = 30
    # inventory: how long stock stays held for an order that is not confirmed, and the
    # service level (chance of no stock-out in a lead time) safety stocks are computed for.
    hold_minutes: int = 30
    service_level: float = 0.95
    # crm: hours to the first response and to the resolution of a ticket, per priority
    # (CRM_TICKET_SLA="urgent=1/4,high=4/24,normal=8/72,low=24/168").
    ticket_sla: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SLA))
    # gateway: the first admin's password, the services behind it and how long to wait for one.
    admin_password: str | None = None
    service_urls: dict[str, str] = field(default_factory=dict)
    upstream_timeout: float = 30.0
    # gateway: request limits per caller and on signing in (per IP and per username),
    # counted in Redis when it is given, so all workers and replicas share them.
    redis_url: str | None = None
    rate_limit: str = "600/minute"
    login_rate_limit: str = "10/minute"
    # gateway: each user's share of the requests that cost minutes of CPU or a full scan
    # (gateway.limits.EXPENSIVE), on top of rate_limit.
    expensive_rate_limit: str = "10/minute"
    # gateway: the web origins a browser may call the API from (none: same origin only).
    cors_origins: tuple[str, ...] = ()

    @property
    def exchange(self) -> str:
        return f"{self.bus_prefix}erp.events"

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.bus_prefix}erp.events.dlx"

    @property
    def queue(self) -> str:
        return f"{self.bus_prefix}{self.service}.events"

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.queue}.dlq"

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @classmethod
    def from_env(cls, service: str, uses_broker: bool = True, **overrides) -> Settings:
        """Read `<SERVICE>_DATABASE_URL` first, then `DATABASE_URL`, so one shell can run all."""
        prefix = service.upper()
        environment = _env("ERP_ENV", "development")
        database_url = _env(f"{prefix}_DATABASE_URL") or _env("DATABASE_URL")
        amqp_url = _env("AMQP_URL")
        if environment != "development" and not (database_url and (amqp_url or not uses_broker)):
            # Outside development a forgotten variable must stop the process, not quietly
            # point it at an empty local SQLite file or a broker on localhost.
            raise RuntimeError(
                f"{prefix}_DATABASE_URL (or DATABASE_URL) and AMQP_URL must be set when "
                f"ERP_ENV={environment}"
            )
        var_dir = _env("ERP_VAR_DIR", "var")
        values = dict(
            service=service,
            database_url=database_url or f"sqlite:///{var_dir}/{service}.db",
            database_app_role=_env(f"{prefix}_DATABASE_APP_ROLE") or _env("DATABASE_APP_ROLE"),
            amqp_url=amqp_url or DEFAULT_AMQP_URL,
            bus_prefix=_env("ERP_BUS_PREFIX", ""),
            environment=environment,
            log_level=_env("LOG_LEVEL", "INFO"),
            log_format=_env("ERP_LOG_FORMAT", "json"),
            var_dir=var_dir,
            max_body_bytes=_typed("ERP_MAX_BODY_BYTES", 16 * 1024 * 1024, int),
            jwks_url=_env("ERP_JWKS_URL"),
            jwt_keys_dir=_env("ERP_JWT_KEYS_DIR"),
            jwt_signing_kid=_env("ERP_JWT_SIGNING_KID"),
            token_lifetime=_typed("ERP_TOKEN_LIFETIME", 900, int),
            trusted_proxy_hops=_typed("ERP_TRUSTED_PROXY_HOPS", 0, int),
            metrics_token=_env("ERP_METRICS_TOKEN"),
            delivery_limit=_typed("ERP_DELIVERY_LIMIT", 5, int),
            worker_port=_typed("WORKER_PORT", None, int),
            tax_rate=_typed("ORDERS_TAX_RATE", Decimal("0"), Decimal),
            tax_rates=_rates("ORDERS_TAX_RATES"),
            seller={
                name: _env(f"ORDERS_SELLER_{name.upper()}", default)
                for name, default in DEFAULT_SELLER.items()
            },
            return_days=_typed("ORDERS_RETURN_DAYS", 30, int),
            ticket_sla=_sla("CRM_TICKET_SLA"),
            hold_minutes=_typed("INVENTORY_HOLD_MINUTES", 30, int),
            service_level=_typed("INVENTORY_SERVICE_LEVEL", 0.95, float),
            admin_password=_env("ERP_ADMIN_PASSWORD"),
            service_urls=service_urls() if service == "gateway" else {},
            upstream_timeout=_typed("GATEWAY_UPSTREAM_TIMEOUT", 30.0, float),
            redis_url=_env("REDIS_URL"),
            rate_limit=_env("GATEWAY_RATE_LIMIT", "600/minute"),
            login_rate_limit=_env("GATEWAY_LOGIN_RATE_LIMIT", "10/minute"),
            expensive_rate_limit=_env("GATEWAY_EXPENSIVE_RATE_LIMIT", "10/minute"),
            cors_origins=tuple(
                origin.strip()
                for origin in (_env("GATEWAY_CORS_ORIGINS") or "").split(",")
                if origin.strip()
            ),
        )
        values.update(overrides)
        return cls(**values)


@dataclass(frozen=True)
class ServerSettings:
    """How gunicorn runs an HTTP app: processes, threads each, whether to log access, and
    (in an image, where no command line names them) which app to serve on which port.

    One process per app by default: on a small machine the nine processes already share the
    cores, and a second copy of each app cost 370 MiB for no more orders per second
    (docs/performance.md); more load is met with more replicas (docs/scaling.md).

    Live feeds (Server-Sent Events) hold a thread each for as long as they last, so a process
    runs `threads` request threads plus `live_feeds` threads only feeds may take: at most
    `live_feeds` at once, `live_feeds_per_user` of them one user's (counted per process)."""

    workers: int
    threads: int
    access_log: bool
    app: str | None = None
    port: int | None = None
    live_feeds: int = 32
    live_feeds_per_user: int = 4

    @classmethod
    def from_env(cls) -> ServerSettings:
        return cls(
            workers=_typed("WEB_CONCURRENCY", 1, int),
            threads=_typed("GUNICORN_THREADS", 8, int),
            access_log=_env("ERP_ACCESS_LOG", "1") == "1",
            app=_env("ERP_APP"),
            port=_typed("ERP_HTTP_PORT", None, int),
            live_feeds=_typed("ERP_LIVE_FEEDS", 32, int),
            live_feeds_per_user=_typed("ERP_LIVE_FEEDS_PER_USER", 4, int),
        )


def metrics_dir() -> str | None:
    """prometheus-client's multiprocess directory (which prometheus-client reads itself too)."""
    return _env("PROMETHEUS_MULTIPROC_DIR")
