"""The webhooks API: subscriptions (an admin's, or an integration's own), their delivery log
and replays (the access rule is gateway.rules.OWN_RULES')."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from erp_shared.schemas import PageQuery, page_of
from erp_shared.web import listed, reading, settings, unit_of_work
from gateway.webhooks import service
from gateway.webhooks.schemas import (
    DeliveryOut,
    ReplayOut,
    ReplayQuery,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
    WebhookWithSecretOut,
)

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks", description="Webhooks")


@blp.route("", methods=["POST"])
@blp.arguments(WebhookIn())
@blp.response(201, WebhookWithSecretOut)
def subscribe(data):
    """Tell `url` of every event of the types named, signed with the secret in this answer."""
    with unit_of_work() as uow:
        return service.create_subscription(uow, settings(), g.principal, data)


@blp.route("", methods=["GET"])
@blp.arguments(PageQuery(), location="query")
@blp.response(200, page_of(WebhookOut))
def list_webhooks(query):
    with reading() as uow:
        return listed(
            query, lambda offset, limit: service.list_subscriptions(uow, g.principal, offset, limit)
        )


@blp.route("/<uuid:subscription_id>", methods=["GET"])
@blp.response(200, WebhookOut)
def get_webhook(subscription_id):
    with reading() as uow:
        return service.get_subscription(uow, g.principal, subscription_id)


@blp.route("/<uuid:subscription_id>", methods=["PATCH"])
@blp.arguments(WebhookPatch())
@blp.response(200, WebhookOut)
def change_webhook(changes, subscription_id):
    """Change the URL, events or description; pause, or resume (a disabled one too)."""
    with unit_of_work() as uow:
        return service.change_subscription(uow, settings(), g.principal, subscription_id, changes)


@blp.route("/<uuid:subscription_id>", methods=["DELETE"])
@blp.response(204)
def delete_webhook(subscription_id):
    with unit_of_work() as uow:
        service.delete_subscription(uow, g.principal, subscription_id)


@blp.route("/<uuid:subscription_id>/secret", methods=["POST"])
@blp.response(200, WebhookWithSecretOut)
def rotate_secret(subscription_id):
    """A new secret, shown here only; the old one signs beside it for 24 hours."""
    with unit_of_work() as uow:
        return service.rotate_secret(uow, g.principal, subscription_id)


@blp.route("/<uuid:subscription_id>/deliveries", methods=["GET"])
@blp.arguments(PageQuery(), location="query")
@blp.response(200, page_of(DeliveryOut))
def deliveries(query, subscription_id):
    """Each event owed to the subscription, newest first, with every attempt at it."""
    with reading() as uow:
        return listed(
            query,
            lambda offset, limit: service.deliveries(
                uow, g.principal, subscription_id, offset, limit
            ),
        )


@blp.route("/<uuid:subscription_id>/replay", methods=["POST"])
@blp.arguments(ReplayQuery(), location="query")
@blp.response(202, ReplayOut)
def replay(query, subscription_id):
    """Send again the events delivered since `since`, each with its webhook-id as before."""
    with unit_of_work() as uow:
        return {"replayed": service.replay(uow, g.principal, subscription_id, query["since"])}
