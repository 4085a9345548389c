"""Closing a case asks once, in an in-page dialog, for the reason in words; reopening asks why;
the timeline keeps both with their reasons (issue 17). As a case handler, by keyboard."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import login

REASON = "The recipient's second address was found: the claim goes on."


def a_case_to_close(page, base) -> str:
    """The last unassigned case in offer sent (the queue's other tests take from the top)."""
    page.goto(f"{base}/queue/?scope=unassigned&stage=offer_sent")
    return page.locator("tr.ca-row .ca-ref").last.inner_text()


def focus_is_in(page, selector: str) -> bool:
    return page.evaluate(f"() => !!document.activeElement.closest({selector!r})")


def test_close_asks_once_and_reopen_brings_the_case_back(live_server, page, screenshots):
    login(page, live_server, "handler")
    ref = a_case_to_close(page, live_server)
    page.goto(f"{live_server}/cases/{ref}")
    page.wait_for_selector("[data-keys-ready]")
    dialog = page.locator("#close-dialog")
    expect(dialog).to_be_hidden()

    # C opens the dialog, focus inside; Escape cancels and changes nothing.
    page.keyboard.press("c")
    expect(dialog).to_be_visible()
    assert focus_is_in(page, "#close-dialog")
    for words in ("Licence shown", "Not commercial use", "Duplicate case", "Withdrawn by the client"):
        expect(dialog).to_contain_text(words)
    expect(dialog).not_to_contain_text("paid_in_full")
    page.keyboard.press("q")        # the page's keys sleep while the dialog is open
    expect(page).to_have_url(re.compile(f"/cases/{ref}$"))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#close-open")).to_be_focused()   # "close" fires after the dialog hides
    expect(page.locator(".ca-next")).not_to_contain_text("Closed on")

    # Once more: choose the reason by keyboard (the last one: Duplicate case) and submit once.
    page.keyboard.press("c")
    page.keyboard.press("ArrowUp")   # the radio group wraps from the first reason to the last
    expect(page.get_by_label("Duplicate case")).to_be_checked()
    page.screenshot(path=str(screenshots / "case-close-dialog.png"))
    page.keyboard.press("Enter")
    expect(page.locator(".alert")).to_contain_text(f"{ref} is closed: Duplicate case.")
    expect(page.locator("#closed-on")).to_contain_text(re.compile(r"Closed on .+ — Duplicate case"))

    # A closed case offers only what applies.
    expect(page.locator("#note-text")).to_have_count(0)
    expect(page.locator("#close-open")).to_have_count(0)
    expect(page.locator("#edit-form")).to_have_count(0)
    legend = page.locator(".ca-legend")
    expect(legend).to_contain_text("reopen")
    expect(legend).not_to_contain_text("note")
    expect(legend).not_to_contain_text("edit")
    page.wait_for_selector("[data-keys-ready]")
    page.keyboard.press("e")   # not on the legend: does nothing
    page.keyboard.press("n")
    expect(page).to_have_url(re.compile(f"/cases/{ref}$"))
    page.screenshot(path=str(screenshots / "case-closed.png"), full_page=True)

    # R asks why; an empty reason is not sent (the field is required).
    page.keyboard.press("r")
    reopen = page.locator("#reopen-dialog")
    expect(reopen).to_be_visible()
    expect(reopen).to_contain_text("It returns to Offer sent")
    expect(page.locator("#reopen-reason")).to_be_focused()
    page.get_by_role("button", name="Reopen the case").click()
    expect(reopen).to_be_visible()
    page.keyboard.type(REASON)
    page.screenshot(path=str(screenshots / "case-reopen-dialog.png"))
    page.get_by_role("button", name="Reopen the case").click()
    expect(page.locator(".alert")).to_contain_text(f"{ref} is reopened: back to Offer sent.")
    expect(page.locator(".ca-next")).to_contain_text("Next: Reminder due")

    # The timeline keeps both, each with its reason.
    timeline = page.locator(".ca-timeline")
    expect(timeline).to_contain_text(re.compile(r"Offer sent → Closed\s+— Duplicate case"))
    expect(timeline).to_contain_text(re.compile(r"Reopened: Closed → Offer sent\s+— " + re.escape(REASON)))
    expect(page.locator("#note-text")).to_have_count(1)
    expect(page.locator("#close-open")).to_have_count(1)


def test_the_dialogs_at_200_percent_zoom(live_server, browser, screenshots):
    """200% zoom of a 1440x900 window: 720x450 CSS pixels at twice the density."""
    context = browser.new_context(viewport={"width": 720, "height": 450}, device_scale_factor=2, locale="en-GB")
    page = context.new_page()
    try:
        login(page, live_server, "handler")
        ref = a_case_to_close(page, live_server)
        page.goto(f"{live_server}/cases/{ref}")
        page.wait_for_selector("[data-keys-ready]")
        page.keyboard.press("c")
        dialog = page.locator("#close-dialog")
        expect(dialog).to_be_visible()
        box = dialog.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 720 and box["height"] <= 450
        submit = page.get_by_role("button", name="Close the case")
        submit.scroll_into_view_if_needed()
        expect(submit).to_be_in_viewport()
        page.screenshot(path=str(screenshots / "case-close-dialog-200.png"))
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
    finally:
        context.close()


def test_the_auditors_queue_offers_no_take_next_key(live_server, page):
    login(page, live_server, "auditor")
    page.goto(f"{live_server}/queue/?scope=unassigned")
    page.wait_for_selector("[data-keys-ready]")
    legend = page.locator(".ca-legend")
    expect(legend).not_to_contain_text("take next")
    page.keyboard.press("?")
    expect(page.locator(".ca-keyhelp")).not_to_contain_text("take the next unassigned case")
