"""The Profile page for every person: who they are, their language and time zone (stored, audited,
refused when unknown), changing their own password (the current one required); and the language
and time zone every page is shown in (core.locale)."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from caseapp.core.audit import AuditEvent
from caseapp.core.preferences import UserPreference
from caseapp.demo.setup import demo_password

PEOPLE = ["handler", "lawyer", "accountant", "manager", "admin", "auditor"]
ROLE_NAME = {"handler": "CaseHandler", "lawyer": "Lawyer", "accountant": "Accountant", "manager": "Manager",
             "admin": "Admin", "auditor": "Auditor"}


def _text(response) -> str:
    return response.get_data(as_text=True)


def _shown(html: str, element: str) -> str:
    found = re.search(rf'id="{element}">([^<]*)<', html)
    assert found, f"no #{element} on the page"
    return found.group(1).strip()


def _events(session, user, action):
    return list(session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "user",
                                                         AuditEvent.subject_id == user.id,
                                                         AuditEvent.action == action)))


@pytest.mark.parametrize("login", PEOPLE)
def test_every_person_sees_their_profile(client_as, users, login):
    answer = client_as(login).get("/profile/")
    assert answer.status_code == 200, login
    html = _text(answer)
    user = users[login]
    assert _shown(html, "profile-login") == login
    assert _shown(html, "profile-name") == f"{user.first_name} {user.last_name}"
    assert _shown(html, "profile-roles") == ROLE_NAME[login]
    assert 'action="/profile/password"' in html and 'action="/profile/preferences"' in html


def test_the_navbar_profile_entry_opens_our_profile_page(client_as):
    html = _text(client_as("lawyer").get("/queue/"))
    assert 'href="/profile/"' in html and "/users/userinfo/" not in html


def test_the_crawler_and_nobody_have_no_profile(client_as):
    for client in (client_as("crawler"), client_as(None)):
        answer = client.get("/profile/")
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_fabs_own_account_pages_are_admins_only(client_as):
    """They change a password without asking for the current one: nobody but Admin opens them."""
    for path in ("/users/userinfo/", "/resetmypassword/form", "/userinfoeditview/form"):
        assert client_as("handler").get(path).status_code == 403, path
        assert client_as("admin").get(path).status_code == 200, path


# --- preferences ---------------------------------------------------------------------------------

def test_saving_preferences_stores_and_audits_them(client_as, db_session, users):
    auditor = users["auditor"]
    page = client_as("auditor").post("/profile/preferences", data={"locale": "de", "timezone": "Asia/Tokyo"},
                                      follow_redirects=True)
    assert "Ihre Einstellungen sind gespeichert." in _text(page)   # said in the language just chosen
    saved = db_session.get(UserPreference, auditor.id)
    assert (saved.locale, saved.timezone) == ("de", "Asia/Tokyo")
    event, = _events(db_session, auditor, "user.preferences_changed")
    assert event.details == {"from": {"locale": None, "timezone": None}, "to": {"locale": "de", "timezone": "Asia/Tokyo"}}
    # back to the firm's defaults: empty values, stored as none
    client_as("auditor").post("/profile/preferences", data={"locale": "", "timezone": ""})
    db_session.expire_all()
    assert (saved.locale, saved.timezone) == (None, None)
    assert len(_events(db_session, auditor, "user.preferences_changed")) == 2


@pytest.mark.parametrize("form, message", [
    ({"locale": "", "timezone": "Europe/Atlantis"}, "&#39;Europe/Atlantis&#39; is not a time zone name"),
    ({"locale": "", "timezone": "berlin"}, "is not a time zone name. Choose one from the list"),
    ({"locale": "fr", "timezone": ""}, "&#39;fr&#39; is not one of the app&#39;s languages. Choose en (English), de (Deutsch)"),
])
def test_an_unknown_time_zone_or_language_is_refused_and_nothing_saved(client_as, db_session, users, form, message):
    page = client_as("handler").post("/profile/preferences", data=form, follow_redirects=True)
    assert message in _text(page)
    assert db_session.get(UserPreference, users["handler"].id) is None
    assert _events(db_session, users["handler"], "user.preferences_changed") == []


def test_an_unchanged_preference_writes_no_audit_event(client_as, db_session, users):
    client = client_as("lawyer")
    client.post("/profile/preferences", data={"locale": "en", "timezone": "Europe/Berlin"})
    client.post("/profile/preferences", data={"locale": "en", "timezone": "Europe/Berlin"})
    assert len(_events(db_session, users["lawyer"], "user.preferences_changed")) == 1


# --- the language and time zone of the pages -------------------------------------------------------

def _locale_shown(client, accept: str | None) -> str:
    headers = {"Accept-Language": accept} if accept else {}
    return _shown(_text(client.get("/profile/", headers=headers)), "locale-now")


@pytest.mark.parametrize("login", PEOPLE)
def test_no_preference_and_a_german_browser_shows_german(client_as, login):
    client = client_as(login)
    assert _locale_shown(client, "de-DE,de;q=0.9,en;q=0.5") == "Deutsch"
    assert _locale_shown(client, "en-GB,en;q=0.9") == "English"
    # Flask-AppBuilder's own pages follow: its German catalogue
    assert "Abmelden" in _text(client.get("/profile/", headers={"Accept-Language": "de-DE"}))


@pytest.mark.parametrize("login", PEOPLE)
def test_the_persons_preference_beats_the_browser(client_as, login):
    client = client_as(login)
    client.post("/profile/preferences", data={"locale": "en", "timezone": ""})
    assert _locale_shown(client, "de-DE,de;q=0.9") == "English"
    client.post("/profile/preferences", data={"locale": "de", "timezone": ""})
    assert _locale_shown(client, "en-GB,en;q=0.9") == "Deutsch"


def test_a_browser_language_the_app_lacks_gets_the_firms_default(app, client_as):
    client = client_as("accountant")
    assert _locale_shown(client, "fr-FR,fr;q=0.9") == "English"
    assert _locale_shown(client, None) == "English"
    app.config["CASEAPP_LOCALE"] = "de"
    try:
        assert _locale_shown(client, "fr-FR,fr;q=0.9") == "Deutsch"
        assert _locale_shown(client, "en-GB") == "English"   # (the browser's, when the app has it)
    finally:
        app.config["CASEAPP_LOCALE"] = "en"


def test_timestamps_are_shown_in_the_persons_time_zone(app, client_as, db_session, users):
    from caseapp.core.formatting import current_locale, timestamp

    noon = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
    with app.app_context():   # outside a request: the firm's (CASEAPP_TIMEZONE, Europe/Berlin in November: +1)
        assert timestamp(noon) == "23 Nov 2026, 13:00"
    client = client_as("handler")
    client.post("/profile/preferences", data={"locale": "", "timezone": "America/New_York"})
    assert _shown(_text(client.get("/profile/")), "zone-now") == "America/New_York"
    login = app.appbuilder.sm.find_user(username="handler")
    with app.test_request_context("/", headers={"Accept-Language": "de-DE"}):
        from flask_login import login_user

        login_user(login)
        assert current_locale() == "de"
        assert timestamp(noon) == "23. Nov. 2026, 07:00"   # the German day: "23." (Babel's yMMMd)
        assert "UTC" not in timestamp(noon) and "+00:00" not in timestamp(noon)


def test_the_firms_time_zone_setting_is_checked(monkeypatch):
    from caseapp.config import time_zone

    assert time_zone("America/Sao_Paulo") == "America/Sao_Paulo"
    with pytest.raises(ValueError, match="CASEAPP_TIMEZONE='Mars/Olympus': give a time zone name"):
        time_zone("Mars/Olympus")


# --- the password ------------------------------------------------------------------------------------

def _password_form(current: str, new: str, repeated: str | None = None) -> dict:
    return {"current": current, "new": new, "repeated": new if repeated is None else repeated}


@pytest.mark.parametrize("form, message", [
    (_password_form("wrong-password", "brand-new-secret"), "that is not your current password"),
    (_password_form("", "brand-new-secret"), "that is not your current password"),
    (_password_form(demo_password("handler"), "short"), "use at least 10 characters"),
    (_password_form(demo_password("handler"), "brand-new-secret", "brand-new-secreT"), "the two new passwords differ"),
    (_password_form(demo_password("handler"), demo_password("handler")), "it is the same as the current one"),
])
def test_a_refused_password_change_changes_nothing(app, client_as, db_session, users, form, message):
    handler = users["handler"]
    before = handler.password
    page = client_as("handler").post("/profile/password", data=form, follow_redirects=True)
    assert message in _text(page) and "nothing was changed" in _text(page)
    db_session.expire_all()
    assert db_session.get(type(handler), handler.id).password == before
    assert _events(db_session, handler, "user.password_changed") == []
    assert app.appbuilder.sm.auth_user_db("handler", demo_password("handler")) is not None


@pytest.mark.parametrize("login", PEOPLE)
def test_a_person_changes_their_own_password(app, client_as, db_session, users, login):
    page = client_as(login).post("/profile/password", data=_password_form(demo_password(login), "a-new-secret-1"),
                                 follow_redirects=True)
    assert "Your password is changed" in _text(page)
    sm = app.appbuilder.sm
    assert sm.auth_user_db(login, "a-new-secret-1") is not None
    assert sm.auth_user_db(login, demo_password(login)) is None
    assert len(_events(db_session, users[login], "user.password_changed")) == 1
