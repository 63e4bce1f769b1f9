"""The gateway's settings: the common ones (erp_shared.config.Settings) plus the first
admin, the services behind it, its request limits and the browser origins it lets in, read
from GATEWAY_* (and a few older ERP_*/REDIS_URL/<SERVICE>_URL) variables."""

from __future__ import annotations

from dataclasses import dataclass, field

from erp_shared.config import SERVICES, Settings, app_port, env, listed, typed


@dataclass(frozen=True)
class GatewaySettings(Settings):
    # The first admin's password, the services behind the gateway and how long to wait for one.
    admin_password: str | None = None
    service_urls: dict[str, str] = field(default_factory=dict)
    upstream_timeout: float = 30.0
    # Request limits per caller and on signing in (per IP and per username), counted in Redis
    # when it is given, so all workers and replicas share them.
    redis_url: str | None = None
    rate_limit: str = "600/minute"
    login_rate_limit: str = "10/minute"
    # Each user's share of the requests that cost minutes of CPU or a full scan
    # (gateway.limits.EXPENSIVE), on top of rate_limit.
    expensive_rate_limit: str = "10/minute"
    # The web origins a browser may call the API from (none: same origin only).
    cors_origins: tuple[str, ...] = ()
    # Seconds the gateway keeps the access rules a service published before asking again.
    rules_ttl: float = 60.0
    # Webhook targets that may resolve to a private, loopback or other non-public address
    # outside development (an integration inside the same network); host names, exact.
    webhook_allow_hosts: tuple[str, ...] = ()

    @property
    def queue(self) -> str:
        """The gateway's one queue: its webhook worker's, which takes every event type."""
        return f"{self.bus_prefix}gateway.webhooks"


def service_urls() -> dict[str, str]:
    """Where the gateway finds each service: `<SERVICE>_URL`, else localhost on its port."""
    return {
        service: env(f"{service.upper()}_URL", f"http://127.0.0.1:{app_port(service)}")
        for service in SERVICES
    }


# What the tests build directly, without reading the environment (erp_testing.settings_for).
SETTINGS_CLASS = GatewaySettings


def settings_from_env(uses_broker: bool = False, **overrides) -> GatewaySettings:
    """The gateway's app uses no broker: only its database must be named outside
    development; its webhook worker (uses_broker) needs AMQP_URL named too."""
    return GatewaySettings.from_env(
        "gateway",
        uses_broker=uses_broker,
        **{
            "admin_password": env("ERP_ADMIN_PASSWORD"),
            "service_urls": service_urls(),
            "upstream_timeout": typed("GATEWAY_UPSTREAM_TIMEOUT", 30.0, float),
            "redis_url": env("REDIS_URL"),
            "rate_limit": env("GATEWAY_RATE_LIMIT", "600/minute"),
            "login_rate_limit": env("GATEWAY_LOGIN_RATE_LIMIT", "10/minute"),
            "expensive_rate_limit": env("GATEWAY_EXPENSIVE_RATE_LIMIT", "10/minute"),
            "cors_origins": listed("GATEWAY_CORS_ORIGINS"),
            "rules_ttl": typed("GATEWAY_RULES_TTL", 60.0, float),
            "webhook_allow_hosts": listed("GATEWAY_WEBHOOK_ALLOW_HOSTS"),
            **overrides,
        },
    )
