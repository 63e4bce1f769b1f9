"""The analyst's dashboard draws sales by month from the API's numbers, and the forecast
with its interval band."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest

from erp_testing import unique

pytestmark = pytest.mark.e2e


def test_the_dashboard_chart_draws_each_months_revenue(console):
    console.become("analyst")
    console.find("#sales-by-month svg")
    bars = {bar.get_attribute("data-label"): bar for bar in console.all("#sales-by-month g.bar")}
    assert len(bars) == 12
    heights = {}
    for month, revenue in console.seeded.history.items():
        assert Decimal(bars[month].get_attribute("data-value")) == Decimal(revenue)
        rect = bars[month].find_element("css selector", "rect")
        assert rect.get_attribute("innerHTML").endswith(f"{Decimal(revenue):,.2f}</title>")
        heights[month] = float(rect.get_attribute("height"))
    # Drawn to scale: each bar's height is its revenue over the same axis.
    (first, a), (second, b) = list(console.seeded.history.items())[:2]
    assert heights[first] / heights[second] == pytest.approx(float(Decimal(a) / Decimal(b)), 0.01)
    console.find("#forecast svg polygon.band")
    assert console.text_of("#forecast .backtest").startswith("Backtest:")
    # The forecast is read against the recent run rate: the last three months' mean.
    explained = console.find("#forecast .explained")
    assert "over the last three months" in explained.text
    console.find("#segments table")
    console.find("#top table")
    assert console.foreign_requests() == []
    console.screenshot("dashboard")


def test_the_dashboard_tells_who_buys_again_from_history_named_by_e_mail(console):
    """The past orders were loaded with the customer's e-mail in capitals: they are the CRM
    customer's, who bought on four days (three past months and today)."""
    console.become("analyst")
    row = console.find(f"#repeat tr[data-customer='{console.seeded.customer_id}']")
    cells = row.find_elements("css selector", "td")
    assert cells[0].text == console.seeded.customer_name
    assert cells[1].text == "4"
    assert "bought again" in console.text_of("#repeat .explained")
    console.driver.execute_script("arguments[0].scrollIntoView()", console.find("#repeat"))
    console.screenshot("dashboard-repeat-purchases")


def test_the_analyst_exports_each_panel_as_csv_a_spreadsheet_reads(console):
    console.become("analyst")
    console.find("#top table")
    console.find("#segments table")
    links = {
        link.get_attribute("href").split("/dashboard/")[1].split(".csv")[0]: link
        for link in console.all("a.export")
    }
    assert set(links) == {"sales-by-month", "top-products", "top-customers", "segments"}
    for report, link in links.items():
        fetched = console.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0]).then(r => r.text().then(t => done([r.status,"
            " r.headers.get('content-type'), t])))",
            link.get_attribute("href"),
        )
        status, kind, text = fetched
        assert status == 200 and kind.startswith("text/csv"), report
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        assert len(rows) > 1, report
    sales = list(csv.reader(io.StringIO(console.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then(r => r.text()).then(done)",
        links["sales-by-month"].get_attribute("href"),
    ).lstrip("\ufeff"))))  # fmt: skip
    by_month = {month: revenue for month, revenue in sales[1:]}
    for label, revenue in console.seeded.history.items():
        month = datetime.strptime(label, "%b %Y").strftime("%Y-%m")
        assert Decimal(by_month[month]) == Decimal(revenue)


def test_segments_are_one_spelling_and_the_customer_list_picks_them(console):
    console.become("analyst")
    console.find("#segments table")
    shown = [cell.text for cell in console.all("#segments tbody td:first-child")]
    assert shown and all("_" not in name for name in shown)
    console.open("/customers")
    options = [o.get_attribute("value") for o in console.all("#segment option")]
    assert options == ["", "champions", "loyal", "new", "needs_attention", "at_risk", "hibernating"]


def test_the_analyst_imports_sales_history_and_reads_a_refused_file_line_by_line(console, tmp_path):
    batch = f"old-shop-{unique()}"
    sku = console.seeded.skus[1]
    refused = tmp_path / "bad.csv"
    refused.write_text(
        f"date,sku,quantity,revenue\n2020-01-31,{sku},3,30.00\nlast week,{sku},x,1\n"
    )
    good = tmp_path / "good.csv"
    good.write_text(f"date,sku,quantity,revenue\n2020-01-31,{sku},3,30.00\n2020-02-29,{sku},4,40\n")
    console.become("analyst")
    console.find("a[href='/history/import']").click()
    console.type("#batch_id", batch)
    console.find("#file").send_keys(str(refused))
    console.find("main form button.primary").click()
    console.find("#import-result tr[data-row]")  # the answer's page, not the form's
    rows = console.all("#import-result tr[data-row]")
    assert {row.get_attribute("data-row") for row in rows} == {"3"}  # the file's third line
    assert {row.text.split()[1] for row in rows} == {"date", "quantity"}
    console.find("#file").send_keys(str(good))
    console.find("main form button.primary").click()
    assert console.find("#import-result [data-lines]").get_attribute("data-lines") == "2"
    assert console.overflowing() == []
