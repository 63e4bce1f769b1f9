"""Settings read from the environment: the only module that reads it.

Every process (HTTP app, worker, migration run, gunicorn's config) builds its settings once at
start-up, never at import, so tests and gunicorn's forked workers each see the environment
they were given. Defaults let `make up` run the whole system on one machine with SQLite files.
The system's parts, their default ports and the worker-port formula are defined here once.

`Settings` holds only what every app has (database, broker, tokens, logging); each service
and the gateway extends it with its own business settings in its `settings.py`, read through
the helpers here (env, typed, listed, pairs), so adding a setting never touches this module.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import InvalidOperation
from urllib.parse import urlsplit, urlunsplit

SERVICES = ("crm", "orders", "inventory", "analytics")
APPS = ("gateway", *SERVICES)
DEFAULT_PORTS = {"gateway": 8080, "crm": 8081, "orders": 8082, "inventory": 8083, "analytics": 8084}
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
WORKER_BASE_PORT = 9180


def worker_port(base: int, service: str, copy: int = 0) -> int:
    """Each service's workers get a block of ten status ports above `base`."""
    return base + 10 * APPS.index(service) + copy


def env(name: str, default: str | None = None) -> str | None:
    """The variable's value; `default` when it is unset or empty."""
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def typed(name: str, default, kind):
    """The variable read as `kind` (int, float, Decimal...); a value that is not one stops
    the process rather than being taken as the default."""
    raw = env(name)
    if raw is None:
        return default
    try:
        return kind(raw)
    except (ValueError, InvalidOperation):
        raise RuntimeError(f"{name}={raw!r} is not a valid {kind.__name__}") from None


def listed(name: str) -> tuple[str, ...]:
    """Values separated by commas, blanks left out."""
    return tuple(item.strip() for item in (env(name) or "").split(",") if item.strip())


def pairs(name: str) -> list[tuple[str, str, str]]:
    """`key=value` pairs separated by commas, as (key, value, the pair as written), so the
    caller can read each value its own way and name the pair it cannot read."""
    found = []
    for pair in filter(None, (env(name) or "").split(",")):
        key, _, value = pair.partition("=")
        found.append((key.strip(), value.strip(), pair))
    return found


def app_port(app: str) -> int:
    return typed(f"{app.upper()}_PORT", DEFAULT_PORTS[app], int)


@dataclass(frozen=True)
class Settings:
    service: str
    database_url: str
    amqp_url: str
    # PostgreSQL: the role the service's processes connect as, when the migrations run as the
    # tables' owner; the migrations grant it what the service needs and nothing more.
    database_app_role: str | None = None
    # host[:port] of a connection pooler (PgBouncer in transaction mode) the apps and workers
    # reach the database through, with the URL's credentials and database; the migrations,
    # which hold a session setting (lock_timeout), always connect to database_url itself.
    # `{service}` in ERP_DATABASE_POOLER is the deployable's name, so one setting shared by
    # all (the prod overlay's `{service}-db-pooler`) names each its own pooler.
    database_pooler: str | None = None
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
    # The worker's status endpoint (metrics, health); none when unset. Its relay also hears
    # nudges there (UDP): an app sends one to each `relay_nudge` address (host:port) as it
    # commits events, so they leave at once rather than at the relay's next look.
    worker_port: int | None = None
    relay_nudge: tuple[str, ...] = ()

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
    def serving_database_url(self) -> str:
        """Where the apps and workers connect: database_url, through the pooler if any."""
        if not self.database_pooler:
            return self.database_url
        parts = urlsplit(self.database_url)
        credentials, at, _ = parts.netloc.rpartition("@")
        return urlunsplit(parts._replace(netloc=f"{credentials}{at}{self.database_pooler}"))

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @classmethod
    def from_env(cls, service: str, uses_broker: bool = True, **overrides) -> Settings:
        """Read `<SERVICE>_DATABASE_URL` first, then `DATABASE_URL`, so one shell can run all."""
        prefix = service.upper()
        environment = env("ERP_ENV", "development")
        database_url = env(f"{prefix}_DATABASE_URL") or env("DATABASE_URL")
        amqp_url = env("AMQP_URL")
        if environment != "development" and not (database_url and (amqp_url or not uses_broker)):
            # Outside development a forgotten variable must stop the process, not quietly
            # point it at an empty local SQLite file or a broker on localhost.
            raise RuntimeError(
                f"{prefix}_DATABASE_URL (or DATABASE_URL) and AMQP_URL must be set when "
                f"ERP_ENV={environment}"
            )
        var_dir = env("ERP_VAR_DIR", "var")
        values = dict(
            service=service,
            database_url=database_url or f"sqlite:///{var_dir}/{service}.db",
            database_app_role=env(f"{prefix}_DATABASE_APP_ROLE") or env("DATABASE_APP_ROLE"),
            database_pooler=(env("ERP_DATABASE_POOLER") or "").format(service=service) or None,
            amqp_url=amqp_url or DEFAULT_AMQP_URL,
            bus_prefix=env("ERP_BUS_PREFIX", ""),
            environment=environment,
            log_level=env("LOG_LEVEL", "INFO"),
            log_format=env("ERP_LOG_FORMAT", "json"),
            var_dir=var_dir,
            max_body_bytes=typed("ERP_MAX_BODY_BYTES", 16 * 1024 * 1024, int),
            jwks_url=env("ERP_JWKS_URL"),
            jwt_keys_dir=env("ERP_JWT_KEYS_DIR"),
            jwt_signing_kid=env("ERP_JWT_SIGNING_KID"),
            token_lifetime=typed("ERP_TOKEN_LIFETIME", 900, int),
            trusted_proxy_hops=typed("ERP_TRUSTED_PROXY_HOPS", 0, int),
            metrics_token=env("ERP_METRICS_TOKEN"),
            delivery_limit=typed("ERP_DELIVERY_LIMIT", 5, int),
            worker_port=typed("WORKER_PORT", None, int),
            relay_nudge=listed("ERP_RELAY_NUDGE"),
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
            workers=typed("WEB_CONCURRENCY", 1, int),
            threads=typed("GUNICORN_THREADS", 8, int),
            access_log=env("ERP_ACCESS_LOG", "1") == "1",
            app=env("ERP_APP"),
            port=typed("ERP_HTTP_PORT", None, int),
            live_feeds=typed("ERP_LIVE_FEEDS", 32, int),
            live_feeds_per_user=typed("ERP_LIVE_FEEDS_PER_USER", 4, int),
        )


def metrics_dir() -> str | None:
    """prometheus-client's multiprocess directory (which prometheus-client reads itself too)."""
    return env("PROMETHEUS_MULTIPROC_DIR")
