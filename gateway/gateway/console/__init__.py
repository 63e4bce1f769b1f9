"""The web console: pages served at `/` for the people who sell, pick, serve and analyse.

Server-rendered Jinja templates with htmx (vendored under static/) and SVG charts drawn on
the server. Every figure on a page comes from this gateway's own `/api/v1`, called with the
signed-in user's token (console.client); the console has no database of its own.
"""

from __future__ import annotations

from flask import Flask

from erp_shared.config import Settings
from gateway import keys
from gateway.console import i18n, live, views
from gateway.console.blueprint import console

__all__ = ["install", "views"]


def install(app: Flask, settings: Settings) -> None:
    """Register the console's pages; tokens in its cookies are checked as the API checks them."""
    app.extensions["erp_console_verifier"] = keys.verifier(
        app.extensions["erp_signing_keys"], settings
    )
    i18n.install(app)
    live.install(app)
    app.register_blueprint(console)
