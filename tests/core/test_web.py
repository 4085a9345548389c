"""The helpers every page shares: where a page may send the user back to."""
from __future__ import annotations

import pytest

from caseapp.core.web import safe_target

HOSTILE_TARGETS = ["https://evil.example/", "//evil.example", "/\\evil.example", "/\t/evil.example",
                   "/\n/evil.example", "/hits/\r\nSet-Cookie: x=1", "\\\\evil.example", "javascript:alert(1)",
                   "/ /evil.example", "/\x00", "/hits/\u2028", "/ça", "evil.example", "", None, 7, "/" + "a" * 3000,
                   "///evil.example", "http:/evil.example", "/%0a"[:0] + "\x7f/"]


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_only_our_own_pages_are_targets(target):
    assert safe_target(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/hits/", "/hits/?band=low&client=3", "/cases/C-2026-000001#notes",
                                    "/hits/?site=m%C3%BCller.de"])
def test_our_own_pages_are_kept(target):
    assert safe_target(target, "/home") == target


@pytest.mark.parametrize("target", HOSTILE_TARGETS[:12])
def test_a_triage_form_goes_back_to_our_pages_only(client_as, target):
    response = client_as("handler").post("/hits/undo", data={"decision": "", "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/hits/", target


@pytest.mark.parametrize("target", HOSTILE_TARGETS[:12])
def test_the_login_page_goes_on_to_our_pages_only(app, client_as, target):
    from caseapp.demo.setup import demo_password

    client = client_as(None)
    response = client.post("/login/", query_string={"next": target},
                           data={"username": "handler", "password": demo_password("handler")})
    assert response.status_code == 302 and response.headers["Location"] == "/", target
    again = client.get("/login/", query_string={"next": target})   # logged in already: straight on
    assert again.status_code == 302 and again.headers["Location"] == "/", target


@pytest.mark.parametrize("login", [None, "admin", "handler"])
@pytest.mark.parametrize("page", ["/parties/action_post", "/users/action_post", "/works/action_post"])
def test_an_unknown_list_action_is_refused_in_words_not_a_crash(client_as, login, page):
    """Flask-AppBuilder looked the action up by name before anything else: a name that is not one
    of the page's actions (or none) raised an error (500) even for a visitor not logged in."""
    client = client_as(login)
    for form in ({"action": "no_such_action", "rowid": "1"}, {"rowid": "1"}):
        answer = client.post(page, data=form)
        assert answer.status_code == 400, (page, login, form, answer.status_code)
        assert "does not exist on this page" in answer.get_data(as_text=True)
