"""A handler writes a letter from the case page in a real browser: picks the kind, issues it,
marks it posted, and sees page 1 of the PDF and the letter on the timeline."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import login


def test_handler_issues_and_posts_a_reminder(live_server, page, screenshots):
    login(page, live_server, "handler")
    page.goto(f"{live_server}/queue/?stage=offer_sent&scope=all")
    refs = [r.inner_text() for r in page.locator("tr.ca-row .ca-ref").all()][:8]
    assert refs, "the demo has cases with an offer sent"
    for ref in refs:
        page.goto(f"{live_server}/cases/{ref}")
        page.locator("#letters summary").click()
        page.select_option("#letter-form select[name=kind]", "reminder")
        page.locator("#letter-form button[value=post]").click()
        alert = page.locator(".alert").first.inner_text()
        if "no postal address" not in alert:
            break
    expect(page.locator(".ca-letters")).to_contain_text("Reminder")
    expect(page.locator(".ca-letters")).to_contain_text("Sent")
    expect(page.locator(".ca-letters img").first).to_be_visible()
    expect(page.locator(".ca-timeline")).to_contain_text(re.compile("Letter (issued|sent)"))
    page.locator("#letters").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "case-letters.png"), full_page=True)
    pdf = page.request.get(live_server + page.locator(".ca-letters a[href*='/file']").first.get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
