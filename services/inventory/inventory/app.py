"""The inventory HTTP app (gunicorn: `inventory.app:create_app()`)."""

from erp_shared.web import create_service_app
from inventory.access import RULES
from inventory.catalogue.api import blp as catalogue
from inventory.replenishment.api import blp as replenishment
from inventory.reports.api import blp as reports
from inventory.settings import settings_from_env
from inventory.stock.api import blp as stock


def create_app(settings=None):
    return create_service_app(
        "inventory",
        title="Inventory",
        blueprints=[catalogue, stock, replenishment, reports],
        settings=settings or settings_from_env(),
        rules=RULES,
    )
