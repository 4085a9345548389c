"""A handler's morning in the real pages: the queue by keyboard, a case, a stage change."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import login


def test_handler_works_the_queue_by_keyboard(live_server, page, screenshots):
    login(page, live_server, "handler")
    expect(page).to_have_url(re.compile(r"/queue/"))
    expect(page.locator(".ca-tabs")).to_contain_text("My cases")
    rows = page.locator("tr.ca-row")
    page.wait_for_selector("[data-keys-ready]")
    assert rows.count() > 0
    page.screenshot(path=str(screenshots / "queue.png"), full_page=True)

    page.keyboard.press("?")
    expect(page.locator(".ca-keyhelp")).to_contain_text("take the next unassigned case")
    page.keyboard.press("Escape")
    expect(page.locator(".ca-keyhelp")).to_have_count(0)

    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile("selected"))
    ref = rows.nth(1).locator(".ca-ref").inner_text()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/cases/{ref}$"))
    expect(page.locator("h1")).to_contain_text(ref)
    expect(page.locator(".ca-items img").first).to_be_visible()
    page.wait_for_selector("[data-keys-ready]")
    page.screenshot(path=str(screenshots / "case.png"), full_page=True)

    page.keyboard.press("n")
    page.keyboard.type("Phoned the site owner; promised to pay this week.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".alert")).to_contain_text("Note added")
    expect(page.locator(".ca-notes")).to_contain_text("promised to pay")

    first_action = page.locator(".ca-actions button[data-target]").first
    label = first_action.inner_text()
    first_action.click()
    expect(page.locator(".alert")).to_contain_text(f"{ref} is now")
    expect(page.locator(".ca-timeline")).to_contain_text("→")
    assert label


def test_take_next_from_the_queue(live_server, page):
    login(page, live_server, "handler2")
    page.goto(f"{live_server}/queue/?scope=unassigned")
    top = page.locator("tr.ca-row .ca-ref").first.inner_text()
    page.wait_for_selector("[data-keys-ready]")
    page.keyboard.press("t")
    expect(page).to_have_url(re.compile(f"/cases/{top}$"))
    expect(page.locator(".alert")).to_contain_text("is yours now")
    expect(page.locator(".ca-next")).to_contain_text("assigned to Tom Reuter")   # a name, not a login


def test_auditor_reads_but_has_no_actions(live_server, page):
    login(page, live_server, "auditor")
    page.goto(f"{live_server}/queue/?scope=unassigned")
    expect(page.locator("#take-next")).to_have_count(0)
    page.locator("tr.ca-row .ca-ref").first.click()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".ca-actions")).to_have_count(0)
    expect(page.locator("#note-text")).to_have_count(0)
