"""The orders HTTP app (gunicorn: `orders.app:create_app()`)."""

from erp_shared.web import create_service_app
from orders.access import RULES
from orders.channel_import.api import blp as channel_import
from orders.invoicing.api import blp as invoicing
from orders.returns.api import blp as returns
from orders.sales.api import blp as sales
from orders.settings import settings_from_env


def create_app(settings=None):
    return create_service_app(
        "orders",
        title="Orders",
        blueprints=[channel_import, sales, invoicing, returns],
        settings=settings or settings_from_env(),
        rules=RULES,
    )
