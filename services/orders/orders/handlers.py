"""Every event the orders worker consumes, from each package's own handler map."""

from orders.replicas.handlers import HANDLERS as REPLICA_HANDLERS
from orders.sales.handlers import HANDLERS as SALES_HANDLERS

HANDLERS = {**REPLICA_HANDLERS, **SALES_HANDLERS}
