"""The crm HTTP app (gunicorn: `crm.app:create_app()`)."""

from crm.access import RULES
from crm.campaigns.api import blp as campaigns
from crm.customers.api import blp as customers
from crm.history.api import blp as history
from crm.segments.api import blp as segments
from crm.settings import settings_from_env
from crm.tickets.api import blp as tickets
from erp_shared.web import create_service_app


def create_app(settings=None):
    return create_service_app(
        "crm",
        title="CRM",
        blueprints=[customers, history, campaigns, tickets, segments],
        settings=settings or settings_from_env(),
        rules=RULES,
    )
