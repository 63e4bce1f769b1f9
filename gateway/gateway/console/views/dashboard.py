"""The analyst's dashboard: the period against the one before, sales by month, who and what
sells, RFM segments, repeat purchases and who is late for one, the demand forecast with its
interval and backtest, competitor prices.

The summary and the monthly chart come with the page; the other panels load on their own
(htmx `load` triggers), so the page shows before the slower reports are ready.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

from flask import Response, abort, g, render_template, request
from flask_babel import gettext as _

from gateway.console import charts, forms
from gateway.console.blueprint import console, needs

MONTHS = 12
TOP = 5
FIGURES = ("revenue", "orders", "units", "average_order_value", "returns_rate")
FORECAST_HORIZON = 6
RUN_PAGE = 20
# Customers shown as most overdue for their next purchase: the ones worth a call today.
OVERDUE = 10


def _period() -> dict:
    return {"from": request.args.get("from", ""), "to": request.args.get("to", "")}


@console.route("/dashboard", methods=["GET"])
@needs("GET", "/analytics/summary")
def dashboard():
    summary = g.user.fetch("/analytics/summary", **_period())
    return render_template(
        "console/dashboard.html",
        summary=summary,
        changes={name: change(summary[name], summary["previous_period"][name]) for name in FIGURES},
        months=charts.bars(monthly_revenue(date.fromisoformat(summary["to"]))),
        period={"from": summary["from"], "to": summary["to"]},
    )


def change(now, before) -> float | None:
    """The relative change from the previous period; None when there was nothing before."""
    now, before = Decimal(str(now)), Decimal(str(before))
    return None if before == 0 else float((now - before) / before)


def _month_starts(last: date) -> list[date]:
    year, month, starts = last.year, last.month, []
    for _month in range(MONTHS):
        starts.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return starts[::-1]


def monthly_revenue(last: date) -> list[tuple[date, Decimal]]:
    """Revenue of each of the MONTHS months up to `last` (by the month's first day), every
    channel (and loaded history) added up; a month without sales is a zero bar, not a gap.
    The chart names each month in the reader's language (charts.bars)."""
    starts = _month_starts(last)
    rows = g.user.fetch(
        "/analytics/sales",
        granularity="month",
        group_by="channel",
        **{"from": starts[0].isoformat(), "to": last.isoformat()},
        per_page=200,
    )["items"]
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        revenue[row["period"][:7]] += Decimal(row["revenue"])
    return [(start, revenue[f"{start:%Y-%m}"]) for start in starts]


def _best(group_by: str) -> list[dict]:
    """The TOP products or customers of the period by revenue, each with its name."""
    rows = g.user.fetch(
        "/analytics/sales", granularity="month", group_by=group_by, **_period(), per_page=200
    )["items"]
    totals: dict[str, dict] = defaultdict(lambda: {"revenue": Decimal(0), "units": 0})
    for row in rows:
        totals[row["key"]]["revenue"] += Decimal(row["revenue"])
        totals[row["key"]]["units"] += row["units"]
    ranked = sorted(totals.items(), key=lambda item: item[1]["revenue"], reverse=True)
    best = [{"key": key, **figures} for key, figures in ranked[:TOP]]
    owner = "/products/" if group_by == "product" else "/customers/"
    for row in best:
        row["name"] = _name_of(owner + row["key"])
    return best


def _name_of(path: str) -> str | None:
    """The name of the product or customer at `path`; None if the caller may not read it or
    it is gone (an erased customer, a buyer known only from history)."""
    found = g.user.send("GET", path)
    return found.json["name"] if found.ok else None


@console.route("/dashboard/top", methods=["GET"])
def top_sellers():
    return render_template(
        "console/_top.html",
        products=_best("product"),
        customers=_best("customer"),
        period=_period(),
    )


def _segment_figures() -> tuple[list[dict], int]:
    """The CRM's customers by segment: each segment links to their list in the CRM, which
    buyers known only from a history import are not in."""
    rfm = g.user.fetch("/analytics/customers/rfm")["items"]
    items = [item for item in rfm if item.get("external_ref") is None]
    counts = Counter(item["segment"] for item in items)
    value: dict[str, Decimal] = defaultdict(Decimal)
    for item in items:
        value[item["segment"]] += Decimal(item["monetary"])
    ranked = sorted(counts, key=lambda segment: value[segment], reverse=True)
    return [{"name": s, "customers": counts[s], "monetary": value[s]} for s in ranked], len(items)


@console.route("/dashboard/segments", methods=["GET"])
def segments():
    figures, total = _segment_figures()
    return render_template("console/_segments.html", segments=figures, total=total)


@console.route("/dashboard/repeat", methods=["GET"])
def repeat_purchases():
    found = g.user.fetch("/analytics/customers/repeat-purchases", per_page=OVERDUE)
    for customer in found["items"]:
        known = customer["external_ref"] is None
        customer["name"] = _name_of(f"/customers/{customer['customer_id']}") if known else None
    return render_template(
        "console/_repeat.html", summary=found["summary"], customers=found["items"]
    )


def _export_rows(report: str) -> list[list]:
    """The figures a panel shows, as rows of a spreadsheet (the API's amounts, unrounded)."""
    if report == "sales-by-month":
        last = date.fromisoformat(g.user.fetch("/analytics/summary", **_period())["to"])
        return [["month", "revenue"]] + [
            [f"{month:%Y-%m}", str(revenue)] for month, revenue in monthly_revenue(last)
        ]
    if report in ("top-products", "top-customers"):
        key = "sku" if report == "top-products" else "customer_id"
        rows = _best("product" if report == "top-products" else "customer")
        return [[key, "name", "units", "revenue"]] + [
            [r["key"], r["name"] or "", r["units"], str(r["revenue"])] for r in rows
        ]
    if report == "segments":
        figures, _total = _segment_figures()
        return [["segment", "customers", "monetary"]] + [
            [s["name"], s["customers"], str(s["monetary"])] for s in figures
        ]
    abort(404)


@console.route("/dashboard/<report>.csv", methods=["GET"])
@needs("GET", "/analytics/summary")
def export(report: str):
    """A panel's figures as CSV, UTF-8 with a byte-order mark so a spreadsheet opens names in
    any script correctly, for the period the dashboard shows."""
    text = io.StringIO()
    csv.writer(text).writerows(_export_rows(report))
    period = _period()
    name = "-".join(filter(None, (report, period["from"], period["to"])))
    return Response(
        "\ufeff" + text.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@console.route("/dashboard/forecast", methods=["GET"])
def forecast():
    found = g.user.fetch(
        "/analytics/forecast",
        sku=request.args.get("sku", ""),
        granularity="month",
        horizon=FORECAST_HORIZON,
    )
    return render_template(
        "console/_forecast.html", forecast=found, chart=charts.band(found["points"])
    )


@console.route("/dashboard/forecast-runs", methods=["POST"])
def start_forecast_run():
    """Forecast every SKU in the background; the answer shows the run's progress."""
    answer = g.user.send(
        "POST", "/analytics/forecast/runs", {"granularity": "month", "horizon": FORECAST_HORIZON}
    )
    if not answer.ok:
        return render_template("console/_run.html", run=None, error=answer.detail)
    return render_template("console/_run.html", run=answer.json, results=None)


@console.route("/dashboard/forecast-runs/<uuid:run_id>", methods=["GET"])
def forecast_run(run_id: str):
    run = g.user.fetch(f"/analytics/forecast/runs/{run_id}")
    results = None
    if run["status"] == "done":
        results = g.user.fetch(f"/analytics/forecast/runs/{run_id}/items", per_page=RUN_PAGE)
    return render_template("console/_run.html", run=run, results=results)


@console.route("/dashboard/competitors", methods=["GET"])
def competitors():
    wanted = forms.given_args("sku", "category")
    if not wanted:
        return render_template("console/_competitors.html", comparison=None, wanted={})
    answer = g.user.send("GET", "/analytics/competitors/comparison", params=wanted)
    return render_template(
        "console/_competitors.html",
        comparison=answer.json["items"] if answer.ok else None,
        error=None if answer.ok else answer.detail,
        wanted=wanted,
    )


@console.route("/history/import", methods=["GET", "POST"])
@needs("POST", "/analytics/history")
def import_history():
    """Sales from before the system, from a CSV file (date,sku,quantity[,revenue]), loaded
    once per batch name; a refused file is said line by line, and nothing of it is loaded."""

    def page(result=None, problems=None, error=None, batch="", status=200):
        shown = render_template(
            "console/import_history.html",
            result=result,
            problems=problems or [],
            error=error,
            batch=batch,
        )
        return shown, status

    if request.method == "GET":
        return page()
    batch = request.form.get("batch_id", "").strip()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return page(error=_("Choose the CSV file to import."), batch=batch, status=422)
    answer = g.user.send(
        "POST",
        "/analytics/history",
        params={"batch_id": batch},
        data=upload.read(),
        content_type="text/csv",
    )
    if answer.ok:
        return page(result=answer.json, batch=batch)
    problems = []
    for name, message in answer.errors.items():
        parts = name.split(".")
        if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit():
            problems.append({"line": int(parts[1]) + 1, "field": parts[2], "message": message})
        else:
            problems.append({"line": None, "field": name, "message": message})
    problems.sort(key=lambda problem: (problem["line"] or 0, problem["field"]))
    return page(problems=problems, error=answer.detail, batch=batch, status=answer.status)
