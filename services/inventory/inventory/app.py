"""The inventory HTTP app (gunicorn: `inventory.app:create_app()`)."""

from erp_shared.web import create_service_app
from inventory.api import blp


def create_app(settings=None):
    return create_service_app("inventory", title="Inventory", blueprints=[blp], settings=settings)
