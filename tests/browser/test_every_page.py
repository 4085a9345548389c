"""Every page of the menu, as each role, in an English and a German browser: no error answer, nothing
fetched from another host (the app works offline), no console error, and no raw Python value in
the visible text ("None", "True", "False", a "+00:00" time)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import login

ROLES = ["handler", "lawyer", "accountant", "admin", "auditor"]
LOCALES = ["en-GB", "de-DE"]
# Words that are Python leaking onto a page, not words of ours.
RAW = re.compile(r"\b(None|True|False)\b|\+00:00")


def _menu_links(page) -> list[str]:
    """Every entry of the navbar's menus (the user menu's Profile too), without logout."""
    hrefs = page.eval_on_selector_all(".navbar a[href]", "links => links.map(a => a.getAttribute('href'))")
    return [h for h in dict.fromkeys(hrefs) if h and h.startswith("/") and not h.startswith("/logout")]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("role", ROLES)
def test_every_menu_page_is_clean(browser, live_server, role, locale):
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale=locale)
    page = context.new_page()
    problems: list[tuple[str, str, str]] = []   # (path, check, what)
    where = {"path": "/login/"}
    page.on("console", lambda m: problems.append((where["path"], "console", m.text[:200]))
            if m.type == "error" else None)
    page.on("response", lambda r: problems.append((where["path"], "http", f"{r.status} {r.url}"))
            if r.status >= 400 else None)
    page.on("request", lambda r: problems.append((where["path"], "offline", r.url))
            if urlsplit(r.url).scheme in ("http", "https", "ws", "wss") and urlsplit(r.url).hostname != "127.0.0.1"
            else None)
    try:
        login(page, live_server, role)
        links = _menu_links(page)
        assert "/profile/" in links and len(links) >= 5, links
        for path in links:
            where["path"] = path
            page.goto(live_server + path)
            page.wait_for_load_state("load")
            text = page.inner_text("body")
            for found in RAW.finditer(text):
                problems.append((path, "text", f"{found.group(0)!r} in …{text[max(0, found.start() - 50):found.end() + 30]!r}"))
    finally:
        context.close()
    assert not problems, "\n".join(f"{role} {locale} {path} [{check}] {what}" for path, check, what in problems)
