"""The administrator's personal-data page and `caseapp gdpr`: who may use them, the export
download, the purge's confirmation, the party page's link, and the commands' output."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from caseapp.cli import main
from caseapp.core.audit import AuditEvent
from caseapp.core.personal_data import ERASED
from caseapp.parties.models import Party
from tests.gdpr.factories import party_file

DE = {"Accept-Language": "de"}


def events(session, action):
    return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


@pytest.mark.parametrize("login", ["handler", "lawyer", "accountant", "auditor"])
def test_only_an_administrator_may_open_the_page_export_or_purge(db_session, client_as, login):
    file = party_file(db_session, closed_on=date(2015, 3, 1))
    browser = client_as(login)
    for answer in (browser.get("/gdpr/"), browser.get(f"/gdpr/export/{file.party.id}"), browser.get("/gdpr/purge"),
                   browser.post("/gdpr/purge", data={"confirm": "PURGE"})):
        assert answer.status_code == 403, (login, answer.request.path)
    db_session.expire_all()
    assert db_session.get(Party, file.party.id).name.endswith("GmbH")
    # The party page shows the export link only to who may export.
    page = browser.get(f"/parties/{file.party.id}").get_data(as_text=True)
    assert f"/gdpr/export/{file.party.id}" not in page


def test_an_administrator_finds_a_party_and_downloads_its_export(db_session, client_as):
    file = party_file(db_session, marker="Suchbar")
    admin = client_as("admin")
    found = admin.get("/gdpr/?q=suchbar").get_data(as_text=True)
    assert "Suchbar GmbH" in found and f"/gdpr/export/{file.party.id}" in found
    assert f"/gdpr/export/{file.party.id}" in admin.get(f"/parties/{file.party.id}").get_data(as_text=True)
    before = events(db_session, "personal_data.exported")
    download = admin.get(f"/gdpr/export/{file.party.id}")
    assert download.status_code == 200 and download.mimetype == "application/json"
    assert "attachment" in download.headers["Content-Disposition"]
    data = json.loads(download.get_data(as_text=True))
    assert data["party_id"] == file.party.id and data["data"]["parties"]["party"][0]["fields"]["name"]["value"] == \
        "Suchbar GmbH"
    assert events(db_session, "personal_data.exported") == before + 1
    german = admin.get("/gdpr/?q=suchbar", headers=DE).get_data(as_text=True)
    assert "Personenbezogene Daten exportieren" in german


def test_the_purge_needs_its_confirmation_typed(db_session, client_as):
    file = party_file(db_session, closed_on=date(2015, 3, 1))
    admin = client_as("admin")
    dry = admin.get("/gdpr/purge").get_data(as_text=True)
    assert "Letters" in dry and "Parties" in dry and "PURGE" in dry
    german = admin.get("/gdpr/purge", headers=DE).get_data(as_text=True)
    assert "Probelauf" in german and "Briefe" in german and "2.192" in german   # 6 years of days, as German writes it
    refused = admin.post("/gdpr/purge", data={"confirm": "yes"})
    assert refused.status_code == 302
    db_session.expire_all()
    assert db_session.get(Party, file.party.id).name.endswith("GmbH")
    assert events(db_session, "personal_data.purged") == 0
    done = admin.post("/gdpr/purge", data={"confirm": "PURGE"})
    assert done.status_code == 302
    db_session.expire_all()
    assert db_session.get(Party, file.party.id).name == ERASED
    assert events(db_session, "personal_data.purged") == 1


def invoke(app, *args):
    return app.test_cli_runner().invoke(main, list(args))


def test_the_export_command_prints_json_and_refuses_a_missing_party(app, db_session):
    file = party_file(db_session, marker="Kommando")
    db_session.commit()
    result = invoke(app, "gdpr", "export", "--party", str(file.party.id), "--as", "admin")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["data"]["parties"]["party"][0]["fields"]["email"]["value"] == "kommando@shop.example"
    missing = invoke(app, "gdpr", "export", "--party", "2147483647", "--as", "admin")
    assert missing.exit_code == 2 and missing.stderr.strip() == \
        "Error: There is no party 2147483647: it was deleted, purged, or the number is wrong."


def test_the_commands_act_only_as_a_person_who_may(app, db_session):
    file = party_file(db_session, closed_on=date(2015, 3, 1))
    db_session.commit()
    for args in (("export", "--party", str(file.party.id)), ("purge",), ("purge", "--dry-run")):
        result = invoke(app, "gdpr", *args, "--as", "handler")
        assert result.exit_code == 2 and "may not do this (PersonalData can_" in result.stderr, result.output
    db_session.expire_all()
    assert db_session.get(Party, file.party.id).name.endswith("GmbH")


def test_the_purge_command_dry_run_then_purge(app, db_session):
    from caseapp.core.filestore import FileStore
    from caseapp.letters.models import Letter

    file = party_file(db_session, closed_on=date(2015, 3, 1))
    party_id = file.party.id
    store = FileStore(app.config["CASEAPP_FILESTORE_PATH"])
    sha = store.put(f"the letter to {file.marker}".encode())
    db_session.get(Letter, file.letter_id).file_sha256 = sha
    db_session.commit()   # (a savepoint: the command's session starts after the setup)
    dry = invoke(app, "gdpr", "purge", "--dry-run", "--json", "--today", "2026-11-23", "--as", "admin")
    assert dry.exit_code == 0, dry.output
    planned = json.loads(dry.output)
    assert planned["dry_run"] and planned["counts"]["party"]["anonymise"] >= 1
    db_session.expire_all()
    assert db_session.get(Party, party_id).name.endswith("GmbH")
    from caseapp.core import clock

    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    ahead = invoke(app, "gdpr", "purge", "--today", tomorrow, "--as", "admin")     # a purge cannot run ahead
    assert ahead.exit_code == 2 and "after today" in ahead.output and "Nothing was purged" in ahead.output
    db_session.expire_all()
    assert db_session.get(Party, party_id).name.endswith("GmbH")
    looked = invoke(app, "gdpr", "purge", "--dry-run", "--today", tomorrow, "--as", "admin")   # a look ahead may
    assert looked.exit_code == 0, looked.output
    done = invoke(app, "gdpr", "purge", "--today", clock.today().isoformat(), "--as", "admin")   # today itself: allowed
    assert done.exit_code == 0 and done.output.startswith(f"Purged {planned['records']} record(s)"), done.output
    db_session.expire_all()
    assert db_session.get(Party, party_id).name == ERASED
    assert not store.exists(sha)       # the letter's file went from the store with the letter
