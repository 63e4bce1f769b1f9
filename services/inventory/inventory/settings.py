"""The inventory service's settings: the common ones (erp_shared.config.Settings) plus how
stock is held and planned, read from INVENTORY_* variables. Only this service reads them,
so they live here rather than in the shared kernel."""

from __future__ import annotations

from dataclasses import dataclass

from erp_shared.config import Settings, typed


@dataclass(frozen=True)
class InventorySettings(Settings):
    # How long stock stays held for an order that is not confirmed, and the service level
    # (chance of no stock-out in a lead time) safety stocks are computed for.
    hold_minutes: int = 30
    service_level: float = 0.95


# What the tests build directly, without reading the environment (erp_testing.settings_for).
SETTINGS_CLASS = InventorySettings


def settings_from_env(**overrides) -> InventorySettings:
    return InventorySettings.from_env(
        "inventory",
        **{
            "hold_minutes": typed("INVENTORY_HOLD_MINUTES", 30, int),
            "service_level": typed("INVENTORY_SERVICE_LEVEL", 0.95, float),
            **overrides,
        },
    )
