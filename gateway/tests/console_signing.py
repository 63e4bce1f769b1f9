"""A browser's way into the console, for the tests that drive it through Flask's client: a
sales user, the browser's address, and signing in through the form with its CSRF value."""

from __future__ import annotations

from erp_testing import bearer, service_app

USER = {"username": "sam", "password": "sales-password-1", "roles": ["sales"]}
BROWSER = {"REMOTE_ADDR": "203.0.113.7"}


def console_client(database_url: str, **settings):
    """A gateway with no services behind it and the sales user in it; `settings` override."""
    client = service_app("gateway", database_url, service_urls={}, **settings).test_client()
    client.post("/api/v1/auth/users", json=USER, headers=bearer())
    return client


def csrf(client) -> str:
    """The value the sign-in form carries: the one its page set in the CSRF cookie."""
    page = client.get("/sign-in", environ_base=BROWSER)
    value = client.get_cookie("erp_csrf").value
    assert page.status_code == 302 or f'name="csrf_token" value="{value}"' in page.text
    return value


def sign_in(client, **headers):
    form = {"csrf_token": csrf(client), "username": USER["username"], "password": USER["password"]}
    return client.post("/sign-in", data=form, headers=headers, environ_base=BROWSER)
