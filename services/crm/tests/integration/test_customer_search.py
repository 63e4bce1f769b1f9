"""Finding customers: any part of a name, email, company or phone, whatever the case and the
accents; filters and pages; bad input refused with nothing changed."""

from __future__ import annotations

import pytest

from erp_testing import bearer

pytestmark = pytest.mark.integration


def ids(client, query):
    answer = client.get(f"/api/v1/customers?{query}", headers=bearer())
    assert answer.status_code == 200, answer.json
    return [c["id"] for c in answer.json["items"]]


def test_search_ignores_case_and_accents_and_finds_any_part(client, customer):
    zoe = customer("Zoë Müller", email="zoe@cafe.example", company="Café Olé", phone="+44 20 7946")
    ada = customer("Ada Lovelace", tags=["vip"])
    assert ids(client, "q=zoe") == [zoe]
    assert ids(client, "q=MULLER") == [zoe]
    assert ids(client, "q=cafe%20ole") == [zoe]
    assert ids(client, "q=7946") == [zoe]
    assert ids(client, "q=lovel") == [ada]
    assert ids(client, "q=zz") == []
    assert ids(client, "q=nobody-here") == []


def test_control_characters_in_a_search_are_ignored_not_an_error(client, customer):
    customer("Ada Lovelace")
    for q in ("lov\x00ela", "ada\x07", '"\x00'):
        answer = client.get("/api/v1/customers", query_string={"q": q}, headers=bearer())
        assert answer.status_code == 200, (q, answer.json)
    found = client.get("/api/v1/customers?q=lov%00ela", headers=bearer()).json
    assert [c["name"] for c in found["items"]] == ["Ada Lovelace"]


def test_filters_and_pages(client, customer):
    vips = [customer(f"Vip {n}", tags=["vip"]) for n in range(3)]
    customer("Plain One")
    blocked = customer("Blocked One", blocked=True)
    assert sorted(ids(client, "tag=vip")) == sorted(vips)
    assert ids(client, "blocked=true") == [blocked]
    page = client.get("/api/v1/customers?per_page=2&page=2", headers=bearer()).json
    assert (page["page"], page["per_page"], page["total"], len(page["items"])) == (2, 2, 5, 2)


def test_bad_changes_are_refused_and_change_nothing(client, customer):
    ada = customer("Ada Lovelace")
    customer("Bob Builder")
    url = f"/api/v1/customers/{ada}"
    assert client.patch(url, json={"email": "not-an-email"}, headers=bearer()).status_code == 422
    taken = client.patch(
        url, json={"email": "bob.builder@example.com", "name": "X"}, headers=bearer()
    )
    assert taken.status_code == 409
    assert client.get(url, headers=bearer()).json["name"] == "Ada Lovelace"
    assert client.get("/api/v1/customers?per_page=500", headers=bearer()).status_code == 422
    changed = client.patch(url, json={"credit_limit": "500.00", "blocked": True}, headers=bearer())
    assert (changed.json["credit_limit"], changed.json["blocked"]) == ("500.00", True)
