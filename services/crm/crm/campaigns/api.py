"""HTTP entry points of campaigns: parse, open the unit of work, call the use case, render."""

from __future__ import annotations

from flask_smorest import Blueprint

from crm.campaigns import schemas, service
from erp_shared.schemas import PageQuery
from erp_shared.web import IDEMPOTENCY_KEY_DOC, create_once, listed, reading

blp = Blueprint("campaigns", __name__, url_prefix="/api/v1", description="Campaigns")


@blp.route("/campaigns", methods=["POST"])
@blp.arguments(schemas.CampaignIn())
@blp.response(201, schemas.CampaignOut)
@blp.doc(**IDEMPOTENCY_KEY_DOC)
def plan_campaign(data):
    return create_once(
        data,
        service.plan_campaign,
        service.campaign_with_performance,
        lambda measured: measured["campaign"].id,
    )


@blp.route("/campaigns", methods=["GET"])
@blp.arguments(PageQuery(), location="query")
@blp.response(200, schemas.CampaignPage)
def list_campaigns(query):
    with reading() as uow:
        return listed(query, lambda offset, limit: service.list_campaigns(uow, offset, limit))


@blp.route("/campaigns/<campaign_id>", methods=["GET"])
@blp.response(200, schemas.CampaignOut)
def get_campaign(campaign_id):
    """With its performance: orders, customers (new and returning), revenue and ROI."""
    with reading() as uow:
        return service.campaign_with_performance(uow, campaign_id)
