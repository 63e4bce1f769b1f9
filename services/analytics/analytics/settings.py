"""The analytics service's settings: it has none of its own beyond the common ones
(erp_shared.config.Settings); this is where they would go, read from ANALYTICS_* variables."""

from __future__ import annotations

from dataclasses import dataclass

from erp_shared.config import Settings


@dataclass(frozen=True)
class AnalyticsSettings(Settings):
    """Only the common settings, so far."""


# What the tests build directly, without reading the environment (erp_testing.settings_for).
SETTINGS_CLASS = AnalyticsSettings


def settings_from_env(**overrides) -> AnalyticsSettings:
    return AnalyticsSettings.from_env("analytics", **overrides)
