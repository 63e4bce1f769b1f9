"""HTTP entry points of replenishment: parse, open the unit of work, call, render."""

from __future__ import annotations

from dataclasses import asdict

from flask_smorest import Blueprint

from erp_shared.web import listed, reading, settings, unit_of_work
from inventory.replenishment import schemas, service

blp = Blueprint("replenishment", __name__, url_prefix="/api/v1", description="Reordering")


@blp.route("/reorder-alerts", methods=["GET"])
@blp.arguments(schemas.AlertQuery(), location="query")
@blp.response(200, schemas.ReorderAlertPage)
def reorder_alerts(query):
    with reading() as uow:
        return listed(
            query,
            lambda offset, limit: service.reorder_alerts(
                uow, query.get("warehouse"), settings().service_level, offset, limit
            ),
        )


@blp.route("/products/<sku>/reorder/<warehouse>", methods=["PUT"])
@blp.arguments(schemas.ReorderPolicyIn())
@blp.response(200, schemas.ReorderPolicyOut)
def set_reorder_policy(policy, sku, warehouse):
    """A warehouse's own reorder settings for a product, in place of the product's."""
    with unit_of_work() as uow:
        chosen = service.set_policy(uow, sku, warehouse, policy)
    return {"sku": sku, "warehouse": warehouse, **asdict(chosen)}
