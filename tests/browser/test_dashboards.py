"""The dashboards in a real browser, as the manager (whose home they are) and in German at 200%
zoom: every chart drawn, nothing fetched from elsewhere, nothing the Content-Security-Policy
blocks (the `page` fixture fails on that), the table behind a chart opens, the CSV downloads.
The screenshot for docs/manager-guide.md (CASEAPP_SCREENSHOTS=1)."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import login

FIGURES = ("stages", "closures", "collection", "money", "durations")


def test_the_manager_starts_at_the_dashboards(live_server, page, screenshots, tmp_path):
    outside = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith((live_server, "data:")) else None)
    login(page, live_server, "manager")
    expect(page).to_have_url(re.compile(r"/reports/$"))
    expect(page.locator("h1")).to_have_text("Dashboards")
    for key in FIGURES:
        expect(page.locator(f"#fig-{key} svg")).to_be_visible()
    page.screenshot(path=str(screenshots / "dashboards.png"))
    table = page.locator("#fig-stages table")
    expect(table).to_be_hidden()
    page.locator("#fig-stages summary").click()
    expect(table).to_be_visible()
    assert table.locator("tbody tr").count() == 12                  # a year of months
    page.locator("#fig-stages").screenshot(path=str(tmp_path / "dashboards-stages.png"))
    with page.expect_download() as download:
        page.locator("#fig-stages a.ca-csv").click()
    assert download.value.suggested_filename == "stages.csv"
    header = open(download.value.path(), encoding="utf-8").readline().strip()
    assert header.startswith("Month,New,Checking,")
    page.select_option("select[name=country]", index=1)
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/reports/\?country=[A-Z]{2}"))
    assert not outside, f"fetched from elsewhere: {outside[:3]}"


def test_the_dashboards_in_german_at_200_percent(live_server, browser, tmp_path):
    context = browser.new_context(viewport={"width": 720, "height": 450}, device_scale_factor=2, locale="de-DE")
    page = context.new_page()
    try:
        login(page, live_server, "manager")
        expect(page.locator("h1")).to_have_text("Auswertungen")
        expect(page.locator("#fig-collection h2")).to_have_text("Einzugsquote")
        # nothing wider than the window: the charts scale down with it
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(tmp_path / "dashboards-de-zoom200.png"))
    finally:
        context.close()


def test_the_accountant_reaches_the_dashboards_from_the_menu(live_server, page):
    login(page, live_server, "accountant")
    expect(page).to_have_url(re.compile(r"/payouts/$"))             # the accountant's home stays
    page.get_by_role("link", name="Dashboards").first.click()
    expect(page).to_have_url(re.compile(r"/reports/$"))
    expect(page.locator("#fig-money svg")).to_be_visible()
