"""The audit trail as the auditor reads it: words, not codes; the filters work with Enter; a
malformed date is refused saying what to write; one event's details; at 200% zoom each event
is a card and nothing scrolls sideways."""
from __future__ import annotations

import re

from tests.browser.conftest import login


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_auditor_filters_the_trail_and_opens_an_event(live_server, page, screenshots):
    login(page, live_server, "auditor")
    page.goto(f"{live_server}/audit/")
    table = page.locator("table.ca-audit")
    text = table.inner_text()
    assert "Demo data" in text and re.search(r"\d{1,2} \w{3} \d{4}, \d\d:\d\d\t", text)   # a time in the reader's zone, no seconds
    assert not re.search(r"case\.\w+|\+00:00|\d\d:\d\d:\d\d\.\d+|\bNone\b", text), text[:500]
    page.screenshot(path=str(screenshots / "audit-trail.png"), full_page=False)

    page.select_option("#f-kind", label="Stage changed")
    page.fill("#f-until", "2026-11-23")
    page.locator("#f-until").press("Enter")                    # Enter filters
    page.wait_for_url(re.compile(r"kind=case.stage_changed"))
    whats = page.locator("td[data-label=What]").all_inner_texts()
    assert whats and set(whats) == {"Stage changed"}
    reference = page.locator("td[data-label=Case] a").first.inner_text()

    page.fill("#f-case", reference)
    page.locator("#f-case").press("Enter")
    page.wait_for_url(re.compile(r"case=C-"))
    assert set(page.locator("td[data-label=Case]").all_inner_texts()) == {reference}
    page.screenshot(path=str(screenshots / "audit-trail-filtered.png"), full_page=False)

    page.fill("#f-since", "23.11.2026")
    page.locator("#f-since").press("Enter")
    assert "From: '23.11.2026' is not a date: write it as YYYY-MM-DD" in page.locator("#audit-problem").inner_text()
    page.fill("#f-since", "")
    page.locator("#f-since").press("Enter")

    page.locator("td[data-label=When] a").first.click()
    page.wait_for_url(re.compile(r"/audit/show/\d+"))
    assert page.locator("h1").inner_text() == "Stage changed"
    assert reference in page.locator("#audit-event").inner_text()
    page.screenshot(path=str(screenshots / "audit-event.png"), full_page=False)


def test_the_trail_at_200_percent(live_server, browser, screenshots):
    context = browser.new_context(viewport={"width": 720, "height": 450}, device_scale_factor=2, locale="en-GB")
    page = context.new_page()
    login(page, live_server, "auditor")
    page.goto(f"{live_server}/audit/")
    assert _fits_the_screen(page), "the audit trail scrolls sideways at 200%"
    page.screenshot(path=str(screenshots / "audit-trail-zoom200.png"), full_page=False)
    context.close()


def test_the_handler_reads_a_case_timeline_in_the_same_words(live_server, page, screenshots):
    login(page, live_server, "handler")
    page.goto(f"{live_server}/audit/")
    assert page.title() and "Audit trail" not in page.locator("h1").all_inner_texts()   # not the handler's page
    page.goto(f"{live_server}/queue/?scope=unassigned")
    page.locator("a.ca-ref").first.click()
    timeline = page.locator("ol.ca-timeline")
    words = timeline.inner_text()
    assert "Case opened" in words and "Demo data" in words
    assert not re.search(r"case\.\w+|\+00:00|\bdemo\b|\bNone\b", words), words[:300]
    timeline.screenshot(path=str(screenshots / "case-timeline.png"))
