"""A client follows an order's status live: each move is a Server-Sent Event."""

from __future__ import annotations

import json

import pytest

from erp_testing import bearer, deliver

pytestmark = pytest.mark.integration


def events(answer) -> list[tuple[str, dict]]:
    text = b"".join(answer.response).decode()
    found = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if fields.get("event") == "status":
            found.append((fields["id"], json.loads(fields["data"])))
    return found


def test_the_feed_sends_every_move_and_resumes_after_the_last_one_seen(app, client, place):
    order = place().json
    deliver(app, "stock.reserved", {"order_id": order["id"], "lines": []}, "inventory")
    client.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "no"}, headers=bearer())

    url = f"/api/v1/orders/{order['id']}/events"
    answer = client.get(url, headers=bearer(), buffered=False)
    assert answer.mimetype == "text/event-stream"
    moves = events(answer)  # the feed ends by itself: the order is final
    assert [(n, e["status"]) for n, e in moves] == [
        ("1", "pending"),
        ("2", "confirmed"),
        ("3", "cancelled"),
    ]
    assert moves[2][1]["reason"] == "no"
    resumed = client.get(url, headers={**bearer(), "Last-Event-ID": "2"}, buffered=False)
    assert [e["status"] for _, e in events(resumed)] == ["cancelled"]


def test_the_feed_of_an_unknown_order_is_404(client):
    assert client.get("/api/v1/orders/nope/events", headers=bearer()).status_code == 404
