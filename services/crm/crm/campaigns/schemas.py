"""Request and response bodies of the campaigns API (unknown fields are rejected)."""

from __future__ import annotations

from marshmallow import Schema, fields, pre_dump, validate

from crm.campaigns.domain import CHANNELS
from erp_shared.schemas import DecimalString, Figure, Money, page_of


class CampaignIn(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    code = fields.Str(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_\-]{1,64}$"))
    channel = fields.Str(required=True, validate=validate.OneOf(CHANNELS))
    budget = Money(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    segment = fields.Str(validate=validate.Length(min=1, max=80))


class PerformanceOut(Schema):
    orders = fields.Int()
    customers = fields.Int()
    new_customers = fields.Int()
    returning_customers = fields.Int()
    revenue = Figure()
    cost = Figure()
    roi = DecimalString(allow_none=True)


class CampaignSummary(Schema):
    id = fields.Str()
    name = fields.Str()
    code = fields.Str()
    channel = fields.Str()
    budget = Money()
    starts_on = fields.Date()
    ends_on = fields.Date()


class CampaignOut(CampaignSummary):
    segment = fields.Str(allow_none=True)
    created_at = fields.AwareDateTime()
    performance = fields.Nested(PerformanceOut)

    @pre_dump
    def flatten(self, measured, **_kwargs):
        if isinstance(measured, dict) and "campaign" in measured:
            campaign = measured["campaign"]
            own = {name: getattr(campaign, name) for name in self.fields if name != "performance"}
            return own | {"performance": measured["performance"]}
        return measured


CampaignPage = page_of(CampaignSummary)
