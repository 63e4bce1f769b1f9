"""The crm service's settings: the common ones (erp_shared.config.Settings) plus the ticket
service levels, read from CRM_* variables. Only this service reads them, so they live here
rather than in the shared kernel."""

from __future__ import annotations

from dataclasses import dataclass, field

from erp_shared.config import Settings, pairs

# Hours to a ticket's first response and to its resolution, per priority.
DEFAULT_SLA = {"urgent": (1, 4), "high": (4, 24), "normal": (8, 72), "low": (24, 168)}


@dataclass(frozen=True)
class CrmSettings(Settings):
    # Hours to the first response and to the resolution of a ticket, per priority
    # (CRM_TICKET_SLA="urgent=1/4,high=4/24,normal=8/72,low=24/168").
    ticket_sla: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SLA))


def _sla(name: str) -> dict[str, tuple[int, int]]:
    """`priority=first/resolution` hours, separated by commas, over the defaults."""
    sla = dict(DEFAULT_SLA)
    for priority, hours, pair in pairs(name):
        first, _, resolution = hours.partition("/")
        try:
            sla[priority] = (int(first), int(resolution))
        except ValueError:
            raise RuntimeError(f"{name}: {pair!r} is not priority=first/resolution") from None
    return sla


# What the tests build directly, without reading the environment (erp_testing.settings_for).
SETTINGS_CLASS = CrmSettings


def settings_from_env(**overrides) -> CrmSettings:
    return CrmSettings.from_env("crm", **{"ticket_sla": _sla("CRM_TICKET_SLA"), **overrides})
