"""Every event the analytics worker consumes, from each package's own handler map."""

from analytics.sales_replica.handlers import HANDLERS as SALES_HANDLERS

HANDLERS = {**SALES_HANDLERS}
