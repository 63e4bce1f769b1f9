"""Every event the CRM worker consumes, from each package's own handler map."""

from crm.customers.handlers import HANDLERS as CUSTOMER_HANDLERS
from crm.purchases.handlers import HANDLERS as PURCHASE_HANDLERS

HANDLERS = {**CUSTOMER_HANDLERS, **PURCHASE_HANDLERS}
