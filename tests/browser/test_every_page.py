"""Every page of the menu, as each role, in an English and a German browser: no error answer, nothing
fetched from another host (the app works offline), no console error, and no raw Python value in
the visible text ("None", "True", "False", a list's "[", a "+00:00" time, an audit event's code), and
dates and amounts written the way the browser's language writes them (issue 17)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import login

ROLES = ["handler", "lawyer", "accountant", "manager", "admin", "auditor"]
LOCALES = ["en-GB", "de-DE"]
# Words that are Python leaking onto a page, not words of ours.
RAW = re.compile(r"\b(None|True|False)\b|\+00:00|\[")
# A date or an amount in the other language's way: English day and month names and "€1,234.50"
# on a German page; German ones and "1.234,50 €" on an English page.
FOREIGN = {
    "de-DE": re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} |\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                        r" \d{4}\b|€\d|\b\d{1,3}(,\d{3})*\.\d{2} ?€"),
    "en-GB": re.compile(r"\b(Mo|Di|Mi|Do|Fr|Sa|So)\., \d|\b\d{1,2}\. (Jan|Feb|März|Apr|Mai|Juni|Juli|Aug|Sept|Okt|Nov|Dez)"
                        r"|\b\d{1,3}(\.\d{3})*,\d{2}\s?€"),
}
# The admin's security pages list permissions by their names: data, not words of the interface.
SECURITY_DATA = ("/roles/", "/permissions/", "/viewmenus/", "/permissionviews/")
# What a page in each language shows at least once among its menu pages: a date and an amount
# in that language's way (the queue's due dates, the payouts' and trial balance's amounts).
OWN = {
    "de-DE": re.compile(r"\d{1,3}(\.\d{3})*,\d{2}\s?€"),
    "en-GB": re.compile(r"€\d{1,3}(,\d{3})*\.\d{2}"),
}


def _english_words() -> re.Pattern:
    """The interface's own English sentences (every catalogue's words of three or more without
    placeholders, whose German differs): on a German page each should read in German."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from lint import translations

    found = set()
    for catalogue in translations.catalogues():
        for message in translations.read(catalogue.po("de"), "de"):
            if isinstance(message.id, str) and message.string and message.string != message.id \
                    and len(message.id.split()) >= 3 and "%" not in message.id and "<" not in message.id:
                found.add(message.id)
    return re.compile("|".join(re.escape(words) for words in sorted(found, key=len, reverse=True)))


def _event_codes() -> re.Pattern:
    """Every audit event's code ('case.stage_changed'): on a page it should read in words."""
    from caseapp.domains import audit_catalogue

    codes = sorted(audit_catalogue().events, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(code) for code in codes) + r")\b")


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
        codes = _event_codes()
        checks = [("text", RAW), ("code", codes), ("locale", FOREIGN[locale])]
        if locale == "de-DE":
            checks.append(("english", _english_words()))
        own_seen = False
        login(page, live_server, role)
        links = _menu_links(page)
        assert "/profile/" in links and len(links) >= 5, links
        for path in links:
            where["path"] = path
            page.goto(live_server + path)
            page.wait_for_load_state("load")
            text = page.inner_text("body")
            # What people (or the system, for them) wrote down stays as written: a reason typed
            # when a stage changed is shown as it was recorded, in the language it was written in.
            words = page.evaluate("() => { const b = document.body.cloneNode(true);"
                                  " b.querySelectorAll('.ca-why').forEach(e => e.remove()); return b.textContent; }")
            for check, pattern in checks:
                if check == "english" and path.startswith(SECURITY_DATA):
                    continue   # permission names are names (menu access on Import bank statement)
                if check == "english":
                    problems.extend((path, check, f"{found.group(0)!r} in …{words[max(0, found.start() - 50):found.end() + 30]!r}")
                                    for found in pattern.finditer(words))
                    continue
                for found in pattern.finditer(text):
                    problems.append((path, check,
                                     f"{found.group(0)!r} in …{text[max(0, found.start() - 50):found.end() + 30]!r}"))
            own_seen = own_seen or bool(OWN[locale].search(text))
        if role in ("handler", "accountant"):   # their menus list amounts (queue, payouts)
            assert own_seen, f"no amount written the {locale} way on any of {role}'s pages"
    finally:
        context.close()
    assert not problems, "\n".join(f"{role} {locale} {path} [{check}] {what}" for path, check, what in problems)
