"""Campaigns planned before the CRM announced campaign.planned are announced by the upgrade
that brings it, so orders accepts their codes like any other."""

from __future__ import annotations

import json
from datetime import date

import pytest
from alembic import command
from sqlalchemy import select, text

from erp_shared.db import make_engine
from erp_shared.messaging import outbox
from erp_shared.migrate import alembic_config, upgrade

pytestmark = pytest.mark.integration


def test_an_upgrade_announces_the_campaigns_planned_before_it(backend, databases):
    url = databases.new(backend)
    command.upgrade(alembic_config("crm", url), "0004")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO campaigns (id, name, code, channel, budget, starts_on, ends_on, "
                "created_at) VALUES ('c-1', 'Spring', 'SPRING', 'email', 0, :starts, :ends, "
                "CURRENT_TIMESTAMP)"
            ),
            {"starts": date(2000, 3, 1), "ends": date(2000, 3, 31)},
        )

    upgrade("crm", url)

    with engine.connect() as conn:
        bodies = [json.loads(row.body) for row in conn.execute(select(outbox.c.body))]
    engine.dispose()
    assert [(body["type"], body["data"]) for body in bodies] == [
        (
            "campaign.planned",
            {
                "campaign_id": "c-1",
                "code": "SPRING",
                "starts_on": "2000-03-01",
                "ends_on": "2000-03-31",
            },
        )
    ]
