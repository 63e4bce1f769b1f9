"""Signing in and out, and the front door that sends each role to where its work starts."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from gateway.console import nav, session
from gateway.console.blueprint import console, safe_next


@console.route("/", methods=["GET"])
def home():
    return redirect(url_for(nav.landing(g.user)))


@console.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    back = safe_next(request.values.get("next"))
    if request.method == "GET":
        if g.user is not None:
            return redirect(back or url_for(nav.landing(g.user)))
        return render_template("console/sign_in.html", next=back, errors={}, username="")
    username = request.form.get("username", "").strip()
    answer = session.sign_in(username, request.form.get("password", ""))
    if answer.ok:
        user = session.user_from(answer.json["access_token"])
        return redirect(back or url_for(nav.landing(user) if user else "console.home"))
    errors = answer.errors
    if answer.status in (401, 429) or not errors:
        errors = {"form": answer.detail}
    return render_template(
        "console/sign_in.html", next=back, errors=errors, username=username
    ), answer.status


@console.route("/sign-out", methods=["POST"])
def sign_out():
    session.sign_out(g.user)
    return redirect(url_for("console.sign_in"))
