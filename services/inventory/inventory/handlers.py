"""Every event the inventory worker consumes, from each package's own handler map."""

from inventory.stock.handlers import HANDLERS as STOCK_HANDLERS

HANDLERS = {**STOCK_HANDLERS}
