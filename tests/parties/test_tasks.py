"""The address lookup that runs by itself: deciding a hit illegal asks for its site's party to be
looked up (after the commit), and the lookup job fills the party from the site's legal notice."""
from __future__ import annotations

import pytest

from caseapp.hits.models import ILLEGAL, NEW
from caseapp.parties import tasks
from caseapp.parties.models import Party
from tests.clients.factories import make_client, make_work
from tests.hits.factories import make_hit
from tests.parties.factories import make_party



def test_deciding_hits_illegal_asks_for_their_sites_lookup(client_as, db_session, monkeypatch):
    hit = make_hit(db_session, make_work(db_session, make_client(db_session)), "shop-example.de")
    db_session.commit()
    asked = []
    monkeypatch.setattr(tasks, "lookup_sites_soon", lambda app, sites: asked.append(list(sites)))
    answer = client_as("handler").post("/hits/decide", data={"verdict": ILLEGAL, "hit": hit.id, "expect": NEW},
                                       headers={"Accept": "application/json"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert asked == [["shop-example.de"]]


def test_no_lookup_thread_when_the_setting_is_off(app):
    assert app.config["CASEAPP_LOOKUP_ON_DECIDE"] is False      # tests/conftest.py
    assert tasks.lookup_sites_soon(app, ["shop-example.de"]) is None


def test_the_lookup_job_fills_a_due_party_and_leaves_a_checked_one_alone(app, db_session, web, local_fetching, no_rdap):
    site = f"127.0.0.1:{web}"          # the test server speaks HTTP only: the job falls back from HTTPS
    due = make_party(db_session, name=site, site=site, street=None, postal_code=None, city=None)
    db_session.commit()
    app.config["CASEAPP_LOOKUP_ON_DECIDE"] = True
    try:
        thread = tasks.lookup_sites_soon(app, [site])
        thread.join(timeout=60)
    finally:
        app.config["CASEAPP_LOOKUP_ON_DECIDE"] = False
    db_session.expire_all()
    party = db_session.get(Party, due.id)
    assert (party.address_source, party.street, party.postal_code, party.vat_id, party.commercial) == \
        ("legal_notice", "Hauptstr. 1", "10115", "DE136695976", "commercial")
    assert tasks.lookup_party(due.id) is None          # checked now: not looked up again
