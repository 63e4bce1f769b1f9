"""Every event the inventory worker consumes, from each package's own handler map."""

from inventory.reservations.handlers import HANDLERS as RESERVATION_HANDLERS
from inventory.stock.handlers import HANDLERS as STOCK_HANDLERS

HANDLERS = {**RESERVATION_HANDLERS, **STOCK_HANDLERS}
