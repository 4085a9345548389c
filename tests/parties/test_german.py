"""The parties list and forms in German (issue 17): titles and column labels."""
from __future__ import annotations

from flask_babel import refresh

DE = {"Accept-Language": "de"}


def test_the_parties_list_and_add_form_in_german(db_session, client_as):
    browser = client_as("handler")
    listed = browser.get("/parties/list/", headers=DE).get_data(as_text=True)
    assert "Beteiligte" in listed and "Website" in listed and "Ort" in listed
    assert "City" not in listed and "Parties" not in listed
    form = browser.get("/parties/add", headers=DE).get_data(as_text=True)
    assert "Beteiligter" in form and "Postleitzahl" in form and "Bundesland / Region" in form
    assert "Postal code" not in form and "State / region" not in form
    refresh()   # the tests' requests share one app context, where Flask-Babel keeps the locale it chose
    english = browser.get("/parties/list/").get_data(as_text=True)
    assert "City" in english and "Parties" in english
