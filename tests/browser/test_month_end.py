"""The accountant's month-end in a real browser: the home page, a batch drafted by one
accountant and approved and exported by a second (the four-eyes rule), the reconciliation.
Screenshots for docs/accountant-guide.md (CASEAPP_SCREENSHOTS=1)."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import login


def test_two_accountants_draft_approve_and_export_a_batch(live_server, page, screenshots):
    login(page, live_server, "accountant")
    expect(page).to_have_url(re.compile(r"/payouts/$"))           # the accountant's home
    page.screenshot(path=str(screenshots / "accountant-home.png"), full_page=True)
    page.get_by_role("button", name="Draft a batch").click()
    expect(page).to_have_url(re.compile(r"/payouts/\d+$"))
    batch_url = page.url
    body = page.inner_text("body")
    assert "draft" in body.lower() and "Approve" not in [b.inner_text() for b in page.locator("button").all()]

    page.goto(f"{live_server}/logout/")
    login(page, live_server, "accountant2")
    page.goto(batch_url)
    page.get_by_role("button", name="Approve").click()
    page.get_by_role("button", name=re.compile("Export the SEPA file")).click()
    expect(page.locator("body")).to_contain_text(re.compile("exported", re.I))
    page.screenshot(path=str(screenshots / "payout-batch.png"), full_page=True)
    shown = page.inner_text("body")
    assert "VAT: " in shown and not any(code in shown for code in ("german_vat", "non_eu", "small_business"))
    sepa = page.locator("a[href*='/file/']").first.get_attribute("href")
    response = page.request.get(live_server + sepa)
    assert response.ok and b"pain.001.001.09" in response.body()
    # A statement is offered at once; its PDF is rendered the first time it is downloaded.
    statement = page.get_by_role("link", name=re.compile(r"^Statement GS-")).first.get_attribute("href")
    response = page.request.get(live_server + statement)
    assert response.ok and response.body().startswith(b"%PDF") and response.headers["content-type"] == "application/pdf"

    page.goto(f"{live_server}/payouts/reconciliation")
    page.screenshot(path=str(screenshots / "reconciliation.png"), full_page=True)
