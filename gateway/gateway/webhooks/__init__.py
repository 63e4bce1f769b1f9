"""Webhooks: client apps told of events by signed, retried HTTP POSTs (Standard Webhooks).

An admin subscribes a URL to event types (api.py); the webhook worker (worker.py) takes every
event from the bus and owes it to each active subscriber (handlers.py), and its dispatcher
sends what is owed until the receiver answers 2xx (dispatcher.py, sender.py). The rules
(which URLs, how long to retry, what stays in order) are domain.py's.
"""
