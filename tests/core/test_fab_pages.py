"""Flask-AppBuilder's list and show pages in the app's look: values read as words (the `cell`
filter, applied once in caseapp/templates/appbuilder/general/widgets), the work pages' heading,
the favicon, and nothing loaded from the internet."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
from markupsafe import Markup


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_cell_reads_values_as_words(app):
    from caseapp.core.formatting import cell

    class Role:
        def __init__(self, name):
            self.name = name

        def __str__(self):
            return self.name

    with app.test_request_context("/", headers={"Accept-Language": "en-GB"}):
        assert cell(None) == "—" and cell("") == "—"
        assert cell(True) == "Yes" and cell(False) == "No"
        assert cell([Role("CaseHandler"), Role("Auditor")]) == "CaseHandler, Auditor"
        assert cell([]) == "—"
        assert cell(datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)) == "23 Nov 2026, 13:00"
        assert cell(date(2026, 6, 5)) == "Fri 5 Jun 2026"
        # anything else as it is: text, numbers (0 is a value, not nothing), markup untouched
        assert cell("Graz") == "Graz" and cell(0) == 0 and cell(12.5) == 12.5
        link = Markup('<a href="/x">x</a>')
        assert cell(link) is link
    # (German "Ja"/"Nein": the words are marked for translation; caseapp's German catalogue is to come)


def test_the_users_list_shows_roles_and_yes_no_as_words(client_as):
    html = _text(client_as("admin").get("/users/list/"))
    cells = [c.strip() for c in re.findall(r"<td>(.*?)</td>", html, re.S)]
    assert not [c for c in cells if c.startswith("[") or c in ("True", "False", "None")], cells
    assert re.search(r"<td>\s*CaseHandler\s*</td>", html) and re.search(r"<td>\s*Yes\s*</td>", html)


def test_an_empty_field_shows_a_dash_in_the_list_and_on_the_show_page(client_as, db_session):
    from tests.parties.factories import make_party

    party = make_party(db_session, city=None)
    db_session.commit()
    client = client_as("handler")
    listed = _text(client.get(f"/parties/list/?_flt_0_name={party.name}"))
    shown = _text(client.get(f"/parties/show/{party.id}", follow_redirects=True))
    for html in (listed, shown):
        assert party.name in html
        assert ">None<" not in html and not re.search(r"<td>\s*None\s*</td>", html)
    assert "—" in listed   # the party page (the show page redirects there) leaves an empty field out


@pytest.mark.parametrize("path", ["/parties/list/", "/clients/list/", "/works/list/"])
def test_framework_pages_carry_the_work_pages_heading_and_title(client_as, path):
    html = _text(client_as("admin").get(path))
    assert 'class="ca-page ca-fab ca-fab-list"' in html and "panel-primary" not in html
    title = re.search(r"<title>([^<]*)</title>", html).group(1)
    assert title.endswith("· caseapp") and title != "caseapp"


def test_every_page_links_the_shipped_favicon(client_as):
    client = client_as("handler")
    for path in ("/queue/", "/parties/list/", "/profile/"):
        assert 'rel="icon" type="image/svg+xml" href="/static/caseapp/favicon.svg"' in _text(client.get(path))
    icon = client.get("/static/caseapp/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
    login = client_as(None).get("/login/")
    assert "/static/caseapp/favicon.svg" in _text(login)


def test_the_user_statistics_chart_and_its_internet_script_are_gone(app, client_as):
    assert not [rule.rule for rule in app.url_map.iter_rules() if "userstatschart" in rule.rule]
    html = _text(client_as("admin").get("/users/list/"))
    assert "gstatic" not in html and "User's Statistics" not in html and "User&#39;s Statistics" not in html
