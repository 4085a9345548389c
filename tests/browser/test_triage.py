"""A handler's triage in the real page: keyboard decisions, overlay, a bulk whitelist and
its undo, and the draft case the illegal hit became."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import login


def selected(page):
    return page.locator("tr.ca-hit.selected")


def test_handler_triages_by_keyboard_whitelists_a_site_and_finds_the_draft_case(live_server, page, screenshots):
    login(page, live_server, "handler")
    page.get_by_role("link", name="Triage").first.click()
    expect(page).to_have_url(re.compile(r"/hits/"))
    rows = page.locator("tr.ca-hit")
    expect(rows.first).to_be_visible()
    page.wait_for_selector("[data-keys-ready]")
    assert rows.count() >= 10
    expect(selected(page)).to_have_count(1)
    expect(page.locator("#work-img")).to_have_attribute("src", re.compile(r"/files/"))
    expect(page.locator("#f-site")).not_to_be_empty()
    page.screenshot(path=str(screenshots / "triage.png"), full_page=True)

    page.keyboard.press("?")
    expect(page.locator(".ca-keyhelp")).to_contain_text("illegal: goes into a draft case")
    page.keyboard.press("Escape")
    expect(page.locator(".ca-keyhelp")).to_have_count(0)

    # J/K move; O overlays the sighting on the work (fade, then flicker), then back
    first_id = rows.nth(0).get_attribute("data-id")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile("selected"))
    rows.nth(2).locator(".ca-check").click()     # a click on a checkbox keeps the keys working
    rows.nth(2).locator(".ca-check").click()
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class(re.compile("selected"))
    page.keyboard.press("o")
    expect(page.locator("#pair")).to_have_class(re.compile("mode-fade"))
    expect(page.locator("#ov-sight")).to_be_visible()
    # laid on the work where it matches (the demo hits carry where each copy lies on its work)
    assert "matrix3d" in page.locator("#ov-sight").evaluate("e => e.style.transform")
    page.screenshot(path=str(screenshots / "triage-overlay.png"))
    page.keyboard.press("o")
    expect(page.locator("#pair")).to_have_class(re.compile("mode-flicker"))
    page.keyboard.press("o")
    expect(page.locator("#pair")).to_have_class(re.compile("mode-side"))

    # N, then L: each decides the selected hit and moves on; the message names it
    first = rows.nth(0)
    named = f"\u201c{first.get_attribute('data-work')}\u201d on {first.get_attribute('data-site')}"
    page.keyboard.press("n")
    expect(page.locator(f"#hit-{first_id} .verdict")).to_have_text("No match")
    expect(page.locator("#triage-status")).to_have_text(f"Marked no match: {named} (1 hit). U undoes.")
    second_id = selected(page).get_attribute("data-id")
    assert second_id != first_id
    page.keyboard.press("l")
    expect(page.locator(f"#hit-{second_id} .verdict")).to_have_text("Legal (licensed)")
    # U takes the last decision back: the hit is to decide again, the one before stays decided
    page.keyboard.press("u")
    expect(page.locator("#triage-status")).to_contain_text("Undone: \u201c")
    expect(page.locator(f"#hit-{second_id} .verdict")).to_have_text("To decide")
    expect(page.locator(f"#hit-{first_id} .verdict")).to_have_text("No match")
    expect(page.locator("#last-words")).to_contain_text(named)   # U would now undo that one

    # I: illegal, into a draft case
    page.locator(f"#hit-{second_id} td.ca-site").click()
    site = page.locator(f"#hit-{second_id}").get_attribute("data-site")
    page.keyboard.press("i")
    status = page.locator("#triage-status")
    expect(status).to_contain_text("draft case C-")
    ref = re.search(r"C-\d{4}-\d{6}", status.inner_text()).group(0)

    # Bulk: select a site, whitelist it for the client in one step, then undo it
    page.goto(f"{live_server}/hits/?site=pinterest.com")
    on_site = page.locator("tr.ca-hit")
    expect(on_site.first).to_be_visible()
    page.wait_for_selector("[data-keys-ready]")
    before = on_site.count()
    assert before >= 2
    client = on_site.first.get_attribute("data-client")
    same_client = page.locator(f'tr.ca-hit[data-client="{client}"]').count()
    page.keyboard.press("w")
    expect(page.locator("#confirm")).to_contain_text(f"{same_client} hit")
    page.keyboard.press("Enter")
    expect(page.locator("#triage-status")).to_contain_text("Whitelisted pinterest.com")
    page.wait_for_selector("[data-keys-ready]")
    expect(page.locator(f'tr.ca-hit[data-client="{client}"]')).to_have_count(0)
    expect(page.locator("#last-decision")).to_contain_text("whitelist pinterest.com")
    page.keyboard.press("u")
    expect(page.locator("#triage-status")).to_contain_text("Undone: whitelist pinterest.com")
    expect(page.locator("tr.ca-hit")).to_have_count(before)

    # The illegal hit's draft case
    page.goto(f"{live_server}/hits/?status=illegal")
    page.get_by_role("link", name=ref).first.click()
    expect(page).to_have_url(re.compile(f"/cases/{ref}$"))
    expect(page.locator("h1")).to_contain_text(ref)
    expect(page.locator("body")).to_contain_text(site)


def test_the_auditor_sees_hits_but_cannot_decide(live_server, page):
    login(page, live_server, "auditor")
    page.goto(f"{live_server}/hits/")
    expect(page.locator("tr.ca-hit").first).to_be_visible()
    page.wait_for_selector("[data-keys-ready]")
    expect(page.locator("[data-decide]")).to_have_count(0)
    page.keyboard.press("i")
    expect(page.locator("#triage-status")).to_be_empty()


def count(page, key):
    return int(page.locator(f'[data-count="{key}"]').first.inner_text())


def test_the_counts_follow_each_decision_and_its_undo_without_a_reload(live_server, page):
    login(page, live_server, "handler2")
    page.goto(f"{live_server}/hits/")
    page.wait_for_selector("[data-keys-ready]")
    page.evaluate("window.caNotReloaded = true")     # gone if the page reloads
    before = {key: count(page, key) for key in ("new", "no_match", "total")}
    hit = selected(page)
    named = f"\u201c{hit.get_attribute('data-work')}\u201d on {hit.get_attribute('data-site')}"
    page.keyboard.press("n")
    expect(page.locator("#triage-status")).to_have_text(f"Marked no match: {named} (1 hit). U undoes.")
    expect(page.locator('.ca-tabs [data-count="new"]')).to_have_text(str(before["new"] - 1))
    expect(page.locator('.ca-tabs [data-count="no_match"]')).to_have_text(str(before["no_match"] + 1))
    expect(page.locator('.ca-count [data-count="total"]')).to_have_text(str(before["total"] - 1))
    expect(page.locator("#last-decision")).to_be_visible()
    expect(page.locator("#last-words")).to_contain_text(f"{named} \u2192 No match (1 hit, ")
    page.keyboard.press("u")
    expect(page.locator("#triage-status")).to_have_text(f"Undone: {named} (1 hit back as it was).")
    expect(page.locator('.ca-tabs [data-count="new"]')).to_have_text(str(before["new"]))
    expect(page.locator('.ca-tabs [data-count="no_match"]')).to_have_text(str(before["no_match"]))
    expect(page.locator('.ca-count [data-count="total"]')).to_have_text(str(before["total"]))
    assert page.evaluate("window.caNotReloaded === true")


def test_the_lawyers_legend_offers_only_the_keys_a_lawyer_can_use(live_server, page):
    login(page, live_server, "lawyer")
    page.goto(f"{live_server}/hits/")
    page.wait_for_selector("[data-keys-ready]")
    legend = page.locator("#key-legend")
    expect(legend).to_contain_text("next/previous")
    expect(legend).to_contain_text("overlay")
    for words in ("legal", "whitelist", "no match", "undo", "select page"):
        expect(legend).not_to_contain_text(words)
    page.keyboard.press("?")
    expect(page.locator(".ca-keyhelp")).to_contain_text("next hit")
    expect(page.locator(".ca-keyhelp")).not_to_contain_text("illegal")
    expect(page.locator(".ca-keyhelp")).not_to_contain_text("undo")


def test_an_admin_whitelists_a_social_network_for_every_client(live_server, page, screenshots):
    login(page, live_server, "admin")
    page.goto(f"{live_server}/hits/rules/")
    page.fill("#new-site", "instagram.com")
    page.select_option("#new-client", "all")      # every client: an explicit choice, never the default
    page.get_by_role("button", name="How many hits would change?").click()
    expect(page.locator("#confirm-whitelist")).to_contain_text("for every client")
    expect(page.locator("#confirm-whitelist")).to_contain_text("undecided hits on instagram.com would be")
    page.fill("#note", "social network: the client's own profiles and reposts")
    page.get_by_role("button", name="Whitelist instagram.com").click()
    expect(page.locator(".alert")).to_contain_text("Whitelisted instagram.com for all clients")
    expect(page.locator("table.ca-queue")).to_contain_text("social network")
    page.screenshot(path=str(screenshots / "whitelists.png"), full_page=True)
