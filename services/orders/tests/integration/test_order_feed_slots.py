"""Each live feed holds an orders thread while it lasts, so a user gets a few at once and the
process a bounded number; a quiet feed writes a comment now and then, which is how the
server learns that its client left and frees the slot."""

from __future__ import annotations

import pytest

from erp_testing import bearer

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def few_feed_slots(monkeypatch):
    """Three slots in all, two a user (read when the app is built)."""
    monkeypatch.setenv("ERP_LIVE_FEEDS", "3")
    monkeypatch.setenv("ERP_LIVE_FEEDS_PER_USER", "2")


def follow(client, order: dict, user: str):
    url = f"/api/v1/orders/{order['id']}/events"
    return client.get(url, headers=bearer(subject=user), buffered=False)


def close(feeds: list) -> None:
    """Newest first: each feed runs in the request context it was opened in."""
    for answer in reversed(feeds):
        answer.close()


def refused(answer, status: int) -> bool:
    return (
        answer.status_code == status
        and answer.mimetype == "application/problem+json"
        and answer.json["status"] == status
        and 1 <= int(answer.headers["Retry-After"]) <= 25
    )


def test_feeds_beyond_a_users_share_are_429_and_beyond_the_process_503(client, confirmed_order):
    order = confirmed_order()
    held = [follow(client, order, "ada") for _ in range(2)]
    assert [answer.status_code for answer in held] == [200, 200]
    assert refused(follow(client, order, "ada"), 429)

    held.append(follow(client, order, "bob"))
    assert held[-1].status_code == 200
    assert refused(follow(client, order, "cy"), 503)

    held.pop().close()  # as the server does when a feed's client left
    held.append(follow(client, order, "cy"))
    assert held[-1].status_code == 200
    close(held)


def test_a_feed_refused_as_someone_elses_order_takes_no_slot(client, confirmed_order):
    order = confirmed_order()
    stranger = bearer(roles=("customer",), subject="eve", customer_id="cust-2")
    for _ in range(3):
        url = f"/api/v1/orders/{order['id']}/events"
        assert client.get(url, headers=stranger).status_code == 404
    held = [follow(client, order, user) for user in ("ada", "ada", "bob")]
    assert [answer.status_code for answer in held] == [200, 200, 200]
    close(held)


def test_a_quiet_feed_writes_a_comment_between_polls(client, confirmed_order):
    order = confirmed_order()
    answer = follow(client, order, "ada")
    chunks = iter(answer.response)
    statuses = [next(chunks) for _ in range(3)]
    assert statuses[0] == b"retry: 2000\n\n"
    assert [chunk.startswith(b"id: ") for chunk in statuses[1:]] == [True, True]
    assert next(chunks) == b":\n\n"
    answer.close()
