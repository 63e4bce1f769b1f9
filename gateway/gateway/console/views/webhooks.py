"""Webhooks: the admin's subscriptions of client apps to events, each with its signing
secret (shown once, when made or rotated), its pause and resume, its delivery log and a
replay of what was sent since a time.

A secret is in the API's answer to the POST that makes it and nowhere else, so the page that
shows it is the answer to that POST, never a page that can be opened again.
"""

from __future__ import annotations

import re

from flask import g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _

from erp_shared.events import PAYLOADS
from gateway.console import forms
from gateway.console.blueprint import console, needs

API = "/webhooks"
DELIVERIES_PER_PAGE = 20
# The event types a subscriber may take, grouped by what they are about, in the order a
# business thinks of them; a type of a kind not named here goes under "Other".
EVENT_GROUPS = (
    ("order", _("Orders")),
    ("invoice", _("Invoices")),
    ("return", _("Returns")),
    ("stock", _("Stock")),
    ("product", _("Products")),
    ("customer", _("Customers")),
    ("ticket", _("Tickets")),
    ("campaign", _("Campaigns")),
)
# The one field of a subscription's page an API error can be shown beside (the replay's);
# any other refusal is said above the page.
PAGE_FIELDS = {"since"}
# A date and time as the browser's datetime-local box sends it; the console's times are UTC.
LOCAL_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")


def event_groups() -> list[tuple[str, list[str]]]:
    """Every event type of the contract under the heading of what it is about."""
    kinds = dict(EVENT_GROUPS)
    grouped: dict[str, list[str]] = {str(label): [] for label in kinds.values()}
    other = str(_("Other"))
    for event_type in sorted(PAYLOADS):
        label = kinds.get(event_type.split(".", 1)[0])
        grouped.setdefault(str(label) if label else other, []).append(event_type)
    return [(label, types) for label, types in grouped.items() if types]


@console.route("/webhooks", methods=["GET"])
@needs("GET", API)
def webhooks():
    listing = g.user.page(API)
    return render_template("console/webhooks.html", listing=listing)


@console.route("/webhooks/new", methods=["GET", "POST"])
@needs("POST", API)
def new_webhook():
    """Subscribe a URL; the answer is the subscription's page with its secret, this once."""
    if request.method == "GET":
        return _form({"events": []}, {})
    body = {**forms.given("url", "description"), "events": request.form.getlist("events")}
    answer = g.user.send("POST", API, body)
    if answer.ok:
        return _subscription_page(answer.json, secret=answer.json["secret"], status=201)
    errors = _field_errors(answer)
    if "events" in errors and not body["events"]:
        errors["events"] = _("Choose at least one event to send.")
    return _form(body, errors, answer.status)


def _form(values: dict, errors: dict, status: int = 200):
    page = render_template(
        "console/webhook_form.html", values=values, errors=errors, groups=event_groups()
    )
    return page, status


def _field_errors(answer) -> dict:
    """The API's errors beside the form's fields: any one event's error beside the events."""
    errors = {}
    for name, message in answer.errors.items():
        errors.setdefault(name.split(".", 1)[0], message)
    return errors or {"form": answer.detail}


@console.route("/webhooks/<uuid:webhook_id>", methods=["GET"])
@needs("GET", API)
def webhook(webhook_id: str):
    return _subscription_page(g.user.fetch(f"{API}/{webhook_id}"))


def _subscription_page(
    subscription: dict,
    *,
    secret: str | None = None,
    rotated: bool = False,
    errors: dict | None = None,
    status: int = 200,
):
    """The subscription, what can be done to it, and its delivery log, newest first."""
    log = g.user.page(f"{API}/{subscription['id']}/deliveries", per_page=DELIVERIES_PER_PAGE)

    def page_url(number: int) -> str:
        """The log's pages are the subscription's page, whichever form this answers."""
        return url_for("console.webhook", webhook_id=subscription["id"], page=number)

    page = render_template(
        "console/webhook.html",
        webhook=subscription,
        deliveries=log,
        secret=secret,
        rotated=rotated,
        errors=errors or {},
        since=request.form.get("since", ""),
        page_url=page_url,
    )
    return page, status


@console.route("/webhooks/<uuid:webhook_id>/status", methods=["POST"])
@needs("PATCH", API + "/any")
def pause_or_resume(webhook_id: str):
    """Paused, deliveries wait; resumed (a disabled one too), what waited is sent at once."""
    wanted = request.form.get("status", "")
    answer = g.user.send("PATCH", f"{API}/{webhook_id}", {"status": wanted})
    if answer.ok:
        done = "paused" if wanted == "paused" else "resumed"
        return redirect(url_for("console.webhook", webhook_id=webhook_id, done=done))
    return _refused(webhook_id, answer)


@console.route("/webhooks/<uuid:webhook_id>/secret", methods=["POST"])
@needs("POST", API + "/any/secret")
def rotate_secret(webhook_id: str):
    """A new secret, shown in this answer only; the old one signs beside it for a day."""
    answer = g.user.send("POST", f"{API}/{webhook_id}/secret")
    if answer.ok:
        return _subscription_page(answer.json, secret=answer.json["secret"], rotated=True)
    return _refused(webhook_id, answer)


@console.route("/webhooks/<uuid:webhook_id>/replay", methods=["POST"])
@needs("POST", API + "/any/replay")
def replay(webhook_id: str):
    """Send again what was delivered since the time given (UTC, as every console time)."""
    since = request.form.get("since", "").strip()
    moment = f"{since}+00:00" if LOCAL_MOMENT.match(since) else since
    answer = g.user.send("POST", f"{API}/{webhook_id}/replay", params={"since": moment})
    if answer.ok:
        replayed = answer.json["replayed"]
        return redirect(
            url_for("console.webhook", webhook_id=webhook_id, done="replayed", replayed=replayed)
        )
    return _refused(webhook_id, answer)


@console.route("/webhooks/<uuid:webhook_id>/delete", methods=["POST"])
@needs("DELETE", API + "/any")
def delete_webhook(webhook_id: str):
    answer = g.user.send("DELETE", f"{API}/{webhook_id}")
    if answer.ok:
        return redirect(url_for("console.webhooks", done="unsubscribed"))
    return _refused(webhook_id, answer)


def _refused(webhook_id: str, answer):
    """The subscription's page again, the API's words beside the form they are about."""
    subscription = g.user.fetch(f"{API}/{webhook_id}")
    errors = _field_errors(answer)
    if not errors.keys() & PAGE_FIELDS:
        errors["form"] = answer.detail
    return _subscription_page(subscription, errors=errors, status=answer.status)
