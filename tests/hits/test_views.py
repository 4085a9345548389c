"""The triage page's endpoints as the page's script and a plain form call them."""
from __future__ import annotations

from sqlalchemy import select

from caseapp.hits.models import NEW, NO_MATCH, Hit
from tests.clients.factories import make_client, make_work
from tests.hits.test_triage import sighting_hits


def test_bulk_by_filter_then_undo_from_the_page(db_session, client_as):
    holder = make_client(db_session)
    work = make_work(db_session, holder)
    weak = sighting_hits(db_session, work, "weak.example.com", 4, score=0.55)
    strong = sighting_hits(db_session, work, "weak.example.com", 2, score=0.95)
    client = client_as("handler")
    page = client.get(f"/hits/?client={holder.id}&band=low").get_data(as_text=True)
    assert "Decide all <b>4</b> hits" in page
    done = client.post("/hits/decide", data={"scope": "filter", "verdict": NO_MATCH, "client": holder.id,
                                             "band": "low", "status": NEW, "next": "/hits/"},
                       headers={"Accept": "application/json"})
    assert done.json["ok"] and done.json["message"].startswith("4 hits marked no match")
    statuses = dict(db_session.execute(select(Hit.id, Hit.status).where(Hit.work_id == work.id)).all())
    assert [statuses[h.id] for h in weak + strong] == [NO_MATCH] * 4 + [NEW] * 2
    page = client.get("/hits/").get_data(as_text=True)
    assert "Your last decision" in page and "score under 0.70" in page
    undone = client.post("/hits/undo", data={"decision": ""}, headers={"Accept": "application/json"})
    assert undone.json["ok"] and "4 hits back" in undone.json["message"]
    nothing = client.post("/hits/decide", data={"verdict": NO_MATCH}, headers={"Accept": "application/json"})
    assert nothing.status_code == 409 and "Select at least one hit" in nothing.json["error"]
    wrong = client.post("/hits/decide", data={"verdict": "maybe", "hit": weak[0].id},
                        headers={"Accept": "application/json"})
    assert wrong.status_code == 409 and "not a decision" in wrong.json["error"]


def test_after_a_plain_form_the_page_goes_back_to_our_own_pages_only(db_session, client_as):
    client = client_as("handler")
    away = client.post("/hits/undo", data={"decision": "", "next": "https://evil.example/"})
    assert away.status_code == 302 and away.headers["Location"].endswith("/hits/")
    home = client.post("/hits/undo", data={"decision": "", "next": "/hits/?band=low"})
    assert home.headers["Location"].endswith("/hits/?band=low")


def test_odd_numbers_in_the_address_bar_are_ignored(client_as):
    client = client_as("handler")
    for url in ("/hits/?client=%C2%B2&after=99999999999999999999999", "/hits/rules/?client=%C2%B2&before=-3",
                "/hits/rules/?before=99999999999999999999999"):
        assert client.get(url).status_code == 200, url
