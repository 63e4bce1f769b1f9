"""An address that is no page: a person's browser gets a console page saying so, with the menu
to go on from; a program asking the API, a probe or Prometheus gets the API's problem
document, whatever the method."""

from __future__ import annotations

import pytest
from console_signing import BROWSER, console_client, sign_in

from erp_testing import bearer

pytestmark = pytest.mark.integration

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def client(databases):
    return console_client(databases.new("sqlite"))


def signed_in(client):
    assert sign_in(client).status_code == 302
    return client


def test_a_missing_page_is_said_inside_the_console_with_its_menu(client):
    page = signed_in(client).get("/ordres/yesterday", headers=HTML, environ_base=BROWSER)
    assert page.status_code == 404
    assert page.mimetype == "text/html"
    assert "There is no page at /ordres/yesterday" in page.text
    assert '<nav aria-label="Pages">' in page.text and "Sign out" in page.text
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_signed_out_a_missing_page_asks_to_sign_in_first(client):
    answer = client.get("/ordres", headers=HTML, environ_base=BROWSER)
    assert answer.status_code == 302 and "/sign-in" in answer.headers["Location"]


@pytest.mark.parametrize(
    "method,path,headers",
    [
        ("GET", "/api/v2/orders", {**HTML, **bearer()}),
        ("GET", "/health/whatever", HTML),
        ("GET", "/no-such-thing", {"Accept": "application/json"}),
        ("POST", "/no-such-thing", HTML),
        ("DELETE", "/no-such-thing", HTML),
    ],
)
def test_a_program_asking_an_unknown_address_gets_the_apis_problem(client, method, path, headers):
    answer = signed_in(client).open(path, method=method, headers=headers, environ_base=BROWSER)
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"
