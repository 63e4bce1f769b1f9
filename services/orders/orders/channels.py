"""The channels orders come in by, which taking an order by hand, importing a channel's file
and the API's documents all accept alike."""

CHANNELS = ("web", "phone", "email", "store", "marketplace", "api")
# Where a customer orders by itself; the other channels are staff taking an order.
SELF_SERVICE_CHANNEL = "web"
