"""The case page's Evidence section in a real browser, English and German: the pages in use and the
buttons (issue 18). Nothing is captured here: the demo's pages are on real-looking sites, and no
test reaches the internet (tests/evidence captures local sites)."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import login


def test_the_evidence_section_in_english_and_german(live_server, page, browser):
    login(page, live_server, "handler")
    page.goto(f"{live_server}/queue/?scope=unassigned&stage=offer_sent")
    ref = page.locator("tr.ca-row .ca-ref").first.inner_text()
    page.goto(f"{live_server}/cases/{ref}")
    section = page.locator("#evidence")
    expect(section).to_contain_text("Evidence (0 captures)")
    expect(section).to_contain_text("No captures yet.")
    expect(section).to_contain_text("Online as far as we know")
    expect(section.locator("button", has_text="capture now").first).to_be_visible()

    german = browser.new_context(viewport={"width": 1360, "height": 900}, locale="de-DE")
    try:
        other = german.new_page()
        login(other, live_server, "lawyer")
        other.goto(f"{live_server}/cases/{ref}")
        expect(other.locator("#evidence")).to_contain_text("Beweise (0 Sicherungen)")
        expect(other.locator("#evidence")).to_contain_text("jetzt sichern")
    finally:
        german.close()
