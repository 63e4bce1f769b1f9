"""The orders HTTP app (gunicorn: `orders.app:create_app()`)."""

from erp_shared.web import create_service_app
from orders.sales.api import blp as sales


def create_app(settings=None):
    return create_service_app("orders", title="Orders", blueprints=[sales], settings=settings)
