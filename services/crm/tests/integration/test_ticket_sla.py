"""Tickets are due by their priority's service level; the overdue ones lead the list; a
reopened ticket loses its resolution but keeps its history."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from crm.tickets.service import OVERDUE, count_overdue
from erp_shared.uow import UnitOfWork
from erp_testing import bearer

pytestmark = pytest.mark.integration


def open_ticket(client, customer_id, priority):
    body = {
        "customer_id": customer_id,
        "subject": f"{priority} problem",
        "description": "It broke.",
        "priority": priority,
    }
    answer = client.post("/api/v1/tickets", json=body, headers=bearer())
    assert answer.status_code == 201, answer.json
    return answer.json


def test_due_times_follow_the_priority(client, customer):
    ada = customer()
    urgent, low = open_ticket(client, ada, "urgent"), open_ticket(client, ada, "low")
    opened = datetime.fromisoformat(urgent["created_at"])
    assert datetime.fromisoformat(urgent["first_response_due"]) == opened + timedelta(hours=1)
    assert datetime.fromisoformat(urgent["due_at"]) == opened + timedelta(hours=4)
    opened = datetime.fromisoformat(low["created_at"])
    assert datetime.fromisoformat(low["due_at"]) == opened + timedelta(hours=168)


def test_an_overdue_ticket_is_listed_and_counted_until_resolved(app, client, customer):
    ada = customer()
    on_time = open_ticket(client, ada, "normal")
    settings = app.extensions["erp_settings"]
    app.extensions["erp_settings"] = replace(
        settings, ticket_sla={**settings.ticket_sla, "urgent": (0, 0)}
    )
    late = open_ticket(client, ada, "urgent")  # due the moment it was opened
    overdue = client.get("/api/v1/tickets?overdue=true", headers=bearer()).json
    assert [t["id"] for t in overdue["items"]] == [late["id"]]
    listed = client.get("/api/v1/tickets", headers=bearer()).json
    assert [t["id"] for t in listed["items"]] == [late["id"], on_time["id"]]
    with UnitOfWork(app.extensions["erp_engine"], "crm") as uow:
        assert count_overdue(uow) == 1
    assert OVERDUE.labels("crm")._value.get() == 1

    url = f"/api/v1/tickets/{late['id']}"
    client.patch(url, json={"status": "resolved", "resolution": "Replaced."}, headers=bearer())
    assert client.get("/api/v1/tickets?overdue=true", headers=bearer()).json["total"] == 0


def test_reopening_resets_the_resolution_and_keeps_the_history(client, customer):
    ticket = open_ticket(client, customer(), "high")
    url = f"/api/v1/tickets/{ticket['id']}"
    client.patch(url, json={"status": "in_progress", "assignee": "sue"}, headers=bearer())
    client.post(f"{url}/comments", json={"body": "Sent a new part."}, headers=bearer())
    resolved = client.patch(
        url, json={"status": "resolved", "resolution": "Part replaced."}, headers=bearer()
    ).json
    assert (resolved["resolution"], resolved["resolved_at"] is not None) == ("Part replaced.", True)
    closed = client.patch(url, json={"status": "closed"}, headers=bearer())
    assert closed.status_code == 200
    reopened = client.patch(url, json={"status": "in_progress"}, headers=bearer()).json
    assert (reopened["status"], reopened["resolution"], reopened["resolved_at"]) == (
        "in_progress",
        None,
        None,
    )
    assert [(e["kind"], e["status"]) for e in reopened["history"]] == [
        ("status", "open"),
        ("assign", None),
        ("status", "in_progress"),
        ("comment", None),
        ("status", "resolved"),
        ("status", "closed"),
        ("status", "in_progress"),
    ]
    assert client.patch(url, json={"status": "closed"}, headers=bearer()).status_code == 200
    bad = client.patch(url, json={"status": "resolved", "resolution": ""}, headers=bearer())
    assert bad.status_code == 422
