"""The analytics HTTP app (gunicorn: `analytics.app:create_app()`)."""

from analytics.access import RULES
from analytics.basket.api import blp as basket
from analytics.competitors.api import blp as competitors
from analytics.forecast.api import blp as forecast
from analytics.repeat.api import blp as repeat
from analytics.reports.api import blp as reports
from analytics.rfm.api import blp as rfm
from analytics.sales_replica.api import blp as history
from analytics.settings import settings_from_env
from erp_shared.web import create_service_app


def create_app(settings=None):
    return create_service_app(
        "analytics",
        title="Analytics",
        blueprints=[reports, rfm, repeat, basket, history, competitors, forecast],
        settings=settings or settings_from_env(),
        rules=RULES,
    )
