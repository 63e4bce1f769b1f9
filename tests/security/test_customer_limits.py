"""What a customer may change and see, tried through the gateway as a customer's client
would, on PostgreSQL (issue 19, findings 1, 8, 9, 10 and 14): it cannot lift its own credit
limit or unblock itself, set a ticket's priority or link another's order, order on a staff
channel or with a made-up campaign code; a token naming no customer is refused; staff show
as a role; a taken e-mail is refused without naming it; orders arriving at once stay within
the credit limit. The console neither shows nor sends what a customer may not set."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import httpx
import pytest

from erp_testing import bearer, throwaway_databases, unique, wait_for, wait_until
from erp_testing.system import running_system

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def system(tmp_path_factory, amqp_url, postgres_admin_url):
    """One system on PostgreSQL shared by the module's tests; each uses its own records and
    signs its own users in (more than the per-IP sign-in limit allows in a minute)."""
    with (
        throwaway_databases("erp_limits") as new_database,
        running_system(
            tmp_path_factory.mktemp("system"),
            amqp_url,
            new_database,
            GATEWAY_LOGIN_RATE_LIMIT="1000/minute",
        ) as system,
    ):
        yield system


def must(answer: httpx.Response, status: int = 200) -> dict:
    assert answer.status_code == status, (answer.request.url, answer.status_code, answer.text)
    return answer.json()


def new_customer(system, **details) -> str:
    body = {"name": "Ada Lovelace", "email": f"{unique('ada-')}@example.com", **details}
    return must(system.call("POST", "/customers", json=body), 201)["id"]


def signed_in(system, customer_id: str) -> tuple[str, dict]:
    """A user of the customer, signed in through the gateway: its name and headers."""
    username = unique("cust-")
    user = {"username": username, "password": PASSWORD, "roles": ["customer"]}
    must(system.call("POST", "/auth/users", json=user | {"customer_id": customer_id}), 201)
    answer = system.http.post(
        "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
    )
    return username, {"Authorization": f"Bearer {must(answer)['access_token']}"}


def as_customer(system, headers: dict, method: str, path: str, **kwargs) -> httpx.Response:
    return system.http.request(method, f"/api/v1{path}", headers=headers, **kwargs)


def console_page(system, username: str, path: str) -> str:
    """A console page as the customer's browser gets it, signed in through its form."""
    with httpx.Client(base_url=system.gateway, timeout=30) as browser:
        browser.get("/sign-in")
        form = {"csrf_token": browser.cookies["erp_csrf"]}
        signed = browser.post("/sign-in", data=form | {"username": username, "password": PASSWORD})
        assert signed.status_code == 302, signed.text
        page = browser.get(path)
        assert page.status_code == 200, page.text
        return page.text


def stocked(system, price: str) -> str:
    sku = unique("LIM-").upper()
    system.create_stocked_product(sku, 1_000, price)
    return sku


def test_a_customer_cannot_lift_its_credit_limit_or_unblock_itself(system):
    customer_id = new_customer(system)
    staff = {"credit_limit": "100.00", "blocked": True, "tags": ["watch"]}
    must(system.call("PATCH", f"/customers/{customer_id}", json=staff))
    username, ada = signed_in(system, customer_id)

    lifted = as_customer(
        system,
        ada,
        "PATCH",
        f"/customers/{customer_id}",
        json={"credit_limit": None, "blocked": False, "tags": []},
    )
    assert lifted.status_code == 403
    assert lifted.headers["content-type"] == "application/problem+json"
    assert set(lifted.json()["errors"]) == {"credit_limit", "blocked", "tags"}
    record = must(system.call("GET", f"/customers/{customer_id}"))
    assert (record["credit_limit"], record["blocked"]) == ("100.00", True)

    edit_page = console_page(system, username, f"/customers/{customer_id}/edit")
    assert 'name="phone"' in edit_page
    assert 'name="credit_limit"' not in edit_page and 'name="tags"' not in edit_page


def test_a_customer_s_ticket_has_no_staff_fields_and_links_only_its_own_orders(system):
    sku = stocked(system, "9.00")
    mine, theirs = new_customer(system), new_customer(system)
    own_order = system.place_first_order(mine, sku, 1)["id"]
    their_order = system.place_first_order(theirs, sku, 1)["id"]
    username, ada = signed_in(system, mine)
    ticket = {"customer_id": mine, "subject": "Late", "description": "Where is it?"}

    def opened(**extra) -> httpx.Response:
        return as_customer(system, ada, "POST", "/tickets", json=ticket | extra)

    urgent = opened(priority="urgent", assignee="admin")
    assert urgent.status_code == 403
    assert set(urgent.json()["errors"]) == {"priority", "assignee"}
    # Once the CRM has heard of both orders, its own links and the other's does not.
    linked = wait_for(lambda: (r := opened(order_id=own_order)).status_code == 201 and r, 15)
    assert linked, "the CRM never heard of the customer's own order"
    wait_until(
        lambda: any(
            entry["kind"] == "order" and entry["id"] == their_order
            for entry in must(system.call("GET", f"/customers/{theirs}/timeline"))["items"]
        ),
        timeout=15,
    )
    other = opened(order_id=their_order)
    assert other.status_code == 422
    assert list(other.json()["errors"]) == ["order_id"]

    form = console_page(system, username, "/tickets/new")
    assert 'name="subject"' in form and 'name="priority"' not in form


def test_a_customer_orders_on_the_web_with_a_campaign_code_that_exists(system):
    sku = stocked(system, "5.00")
    customer_id = new_customer(system)
    system.place_first_order(customer_id, sku, 1)
    _, ada = signed_in(system, customer_id)
    order = system.order_body(customer_id, sku, 1)

    def placed(**extra) -> httpx.Response:
        return as_customer(system, ada, "POST", "/orders", json=order | extra)

    phoned = placed(channel="phone")
    assert phoned.status_code == 403
    assert list(phoned.json()["errors"]) == ["channel"]
    made_up = placed(campaign_code="FREE100")
    assert made_up.status_code == 422
    assert list(made_up.json()["errors"]) == ["campaign_code"]

    code = unique("SPRING").upper()
    today = date.today()
    campaign = {"name": "Spring", "code": code, "channel": "email", "budget": "100.00"}
    campaign |= {"starts_on": today.isoformat(), "ends_on": today.isoformat()}
    must(system.call("POST", "/campaigns", json=campaign), 201)
    carried = wait_for(lambda: (r := placed(campaign_code=code)).status_code != 422 and r, 15)
    assert carried and must(carried, 201)["campaign_code"] == code


def test_a_customer_token_naming_no_customer_is_refused(system):
    sku = stocked(system, "3.00")
    system.place_first_order(new_customer(system), sku, 1)
    nobody = bearer(roles=["customer"], subject=unique("nobody-"))
    for path in ("/orders", "/invoices", "/returns", "/tickets", "/products"):
        answer = as_customer(system, nobody, "GET", path)
        assert answer.status_code == 403, (path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"


def test_a_customer_sees_staff_as_a_role_not_a_username(system):
    sku = stocked(system, "7.00")
    customer_id = new_customer(system)
    placed = system.place_first_order(customer_id, sku, 1)  # by admin
    system.decisions([placed["id"]])
    username, ada = signed_in(system, customer_id)
    ticket = {"customer_id": customer_id, "subject": "Late", "description": "Where is it?"}
    opened = must(as_customer(system, ada, "POST", "/tickets", json=ticket), 201)
    support = bearer(roles=["support"], subject="sue.support")
    comment = {"body": "On its way."}
    path = f"/api/v1/tickets/{opened['id']}/comments"
    must(system.http.post(path, json=comment, headers=support), 201)

    order = as_customer(system, ada, "GET", f"/orders/{placed['id']}")
    assert must(order)["placed_by"] == "staff"
    assert {h["actor"] for h in order.json()["history"]} == {"staff", "system"}
    seen = as_customer(system, ada, "GET", f"/tickets/{opened['id']}")
    assert [e["actor"] for e in must(seen)["history"]] == [username, "staff"]
    for text in (order.text, seen.text):
        assert not re.search(r"\badmin\b|sue\.support|inventory:", text)


def test_a_taken_email_is_refused_without_naming_it(system):
    taken = f"{unique('bob-')}@example.com"
    new_customer(system, email=taken)
    customer_id = new_customer(system)
    _, ada = signed_in(system, customer_id)
    answer = as_customer(system, ada, "PATCH", f"/customers/{customer_id}", json={"email": taken})
    assert answer.status_code == 409
    assert taken.split("@")[0] not in answer.text
    assert list(answer.json()["errors"]) == ["email"]


def test_orders_placed_at_once_stay_within_the_credit_limit(system):
    """One order of 447.00 already open against 1000.00 of credit; eight more of 447.00
    arrive at once: one fits, the rest are rejected for credit."""
    sku = stocked(system, "149.00")
    customer_id = new_customer(system, credit_limit="1000.00")
    first = system.place_first_order(customer_id, sku, 3)
    assert first["status"] == "pending"
    _, ada = signed_in(system, customer_id)
    order = system.order_body(customer_id, sku, 3)

    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(lambda _: as_customer(system, ada, "POST", "/orders", json=order), range(8))
        )

    placed = [must(answer, 201) for answer in answers]
    accepted = [o for o in placed if o["status"] == "pending"]
    open_total = sum(Decimal(o["total"]) for o in [first, *accepted])
    assert open_total <= Decimal("1000.00"), [o["status"] for o in placed]
    assert len(accepted) == 1
    assert {o["rejected_for"] for o in placed if o["status"] == "rejected"} == {"credit"}
