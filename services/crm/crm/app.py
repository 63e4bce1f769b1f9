"""The crm HTTP app (gunicorn: `crm.app:create_app()`)."""

from crm.api import blp
from erp_shared.web import create_service_app


def create_app(settings=None):
    return create_service_app("crm", title="CRM", blueprints=[blp], settings=settings)
