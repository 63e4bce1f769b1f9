"""The orders HTTP app (gunicorn: `orders.app:create_app()`)."""

from erp_shared.web import create_service_app
from orders.api import blp


def create_app(settings=None):
    return create_service_app("orders", title="Orders", blueprints=[blp], settings=settings)
