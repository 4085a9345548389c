"""The pages where work happens (triage, queue, case) at the sizes people use them: a
1440x900 window, a 1024x768 one, and 1440x900 at 200% zoom (720x450 CSS pixels at two device
pixels each). Their main panels never lie over one another, the page never scrolls sideways,
and the queue's due column stays on the screen."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login

SIZES = {
    "1440x900": {"viewport": {"width": 1440, "height": 900}},
    "1024x768": {"viewport": {"width": 1024, "height": 768}},
    "200pct": {"viewport": {"width": 720, "height": 450}, "device_scale_factor": 2},
}

# The main panels of each page (stable ids, data-panel attributes and the case's card classes).
PANELS = {
    "triage": "#triage [data-panel], #pair, #facts, .ca-decide",
    "queue": "#queue [data-panel]",
    "case": "#case > header, #case > section, #case > .ca-grid > section, #case > aside",
}

# Pairs of visible panels whose boxes intersect (by more than a rounding pixel); a panel and
# one inside it in the page (the triage's images and facts in the hit's panel) excepted.
OVERLAPS = """selector => {
  const panels = [...document.querySelectorAll(selector)].filter(e => e.offsetParent !== null);
  const name = e => e.id || e.dataset.panel || e.className;
  const found = [];
  panels.forEach((a, i) => panels.slice(i + 1).forEach(b => {
    if (a.contains(b) || b.contains(a)) { return; }
    const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
    const dx = Math.min(p.right, q.right) - Math.max(p.left, q.left);
    const dy = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
    if (dx > 1 && dy > 1) { found.push([name(a), name(b)]); }
  }));
  return {count: panels.length, found: found};
}"""


def overlapping(page, name: str) -> list:
    result = page.evaluate(OVERLAPS, PANELS[name])
    assert result["count"] >= 3, (name, result)   # the panels are there to be checked
    return result["found"]


def check_layout(page, name: str, size: str, screenshots) -> None:
    assert not overlapping(page, name), (name, size, overlapping(page, name))
    width = page.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
    assert width[0] <= width[1], f"{name} at {size} scrolls sideways: {width}"
    if size == "200pct":   # docs/screenshots/<page>-zoom200[-de].png with CASEAPP_SCREENSHOTS=1
        german = page.evaluate("document.documentElement.lang") == "de"
        page.screenshot(path=str(screenshots / f"{name}-zoom200{'-de' if german else ''}.png"))


@pytest.fixture(params=[(size, locale) for size in SIZES for locale in ("en-GB", "de-DE")],
                ids=lambda param: f"{param[0]}-{param[1]}")
def sized(request, browser):
    """A window of each size, in an English and a German browser (German words are longer:
    "Zahlungserinnerung versandt" must not push the due column off the screen)."""
    size, locale = request.param
    context = browser.new_context(locale=locale, **SIZES[size])
    yield size, context.new_page()
    context.close()


def test_work_pages_stack_their_panels_and_never_scroll_sideways(live_server, sized, screenshots):
    size, page = sized
    login(page, live_server, "handler")

    page.goto(f"{live_server}/hits/")
    page.wait_for_selector("[data-keys-ready]")
    check_layout(page, "triage", size, screenshots)
    # down at the list's end the hit's panel must not ride over the list (sticky only side by side)
    page.locator("tr.ca-hit").last.scroll_into_view_if_needed()
    stage, hitlist = page.locator("#stage").bounding_box(), page.locator("#hitlist").bounding_box()
    last_row = page.locator("tr.ca-hit").last.bounding_box()
    side_by_side = stage["x"] + stage["width"] <= hitlist["x"]
    assert side_by_side or not (stage["y"] < last_row["y"] + last_row["height"]
                                and last_row["y"] < stage["y"] + stage["height"]), (size, stage, last_row)
    assert page.evaluate("[document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth]")[0]

    page.goto(f"{live_server}/queue/?scope=unassigned")
    page.wait_for_selector("[data-keys-ready]")
    check_layout(page, "queue", size, screenshots)
    viewport = page.viewport_size["width"]
    due = page.locator("#queue-table td.ca-due")
    assert due.count() >= 5
    for i in range(due.count()):
        box = due.nth(i).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport + 0.5, (size, i, box)   # (a subpixel)
    expect(page.locator("#queue-table th.ca-due")).to_be_visible()

    page.locator("tr.ca-row .ca-ref").first.click()
    page.wait_for_selector("[data-keys-ready]")
    check_layout(page, "case", size, screenshots)


def test_the_checks_see_an_overlap_and_a_page_wider_than_the_window(live_server, browser):
    """The layout checks fail on what they are there to catch: a panel moved over another
    and a row wider than the window."""
    context = browser.new_context(locale="en-GB", **SIZES["200pct"])
    page = context.new_page()
    try:
        login(page, live_server, "handler")
        page.goto(f"{live_server}/queue/?scope=unassigned")
        page.wait_for_selector("[data-keys-ready]")
        assert not overlapping(page, "queue")
        page.evaluate("document.querySelector('#queue [data-panel=filters]').style.marginTop = '-60px'")
        assert overlapping(page, "queue") == [["head", "filters"]]
        page.evaluate("document.querySelectorAll('#queue-table .ca-col-client, #queue-table .ca-col-country, "
                      "#queue-table .ca-col-expected').forEach(e => e.style.display = 'table-cell')")
        width = page.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
        due = page.locator("#queue-table td.ca-due").first.bounding_box()
        assert width[0] > width[1] or due["x"] + due["width"] > 720   # without the narrow layout it overflows
    finally:
        context.close()
