"""The triage page's endpoints as the page's script and a plain form call them."""
from __future__ import annotations

from sqlalchemy import select

from caseapp.hits.models import NEW, NO_MATCH, WHITELISTED, Hit, SiteRule
from tests.clients.factories import make_client, make_work
from tests.hits.test_triage import sighting_hits, status_of


def test_bulk_by_filter_then_undo_from_the_page(db_session, client_as):
    holder = make_client(db_session)
    work = make_work(db_session, holder)
    weak = sighting_hits(db_session, work, "weak.example.com", 4, score=0.55)
    strong = sighting_hits(db_session, work, "weak.example.com", 2, score=0.95)
    client = client_as("handler")
    page = client.get(f"/hits/?client={holder.id}&band=low").get_data(as_text=True)
    assert 'Decide all <b data-count="total">4</b> hits' in page
    done = client.post("/hits/decide", data={"scope": "filter", "verdict": NO_MATCH, "client": holder.id,
                                             "band": "low", "status": NEW, "next": "/hits/"},
                       headers={"Accept": "application/json"})
    assert done.json["ok"] and done.json["message"].startswith(
        f"Marked no match: all hits to decide, for {holder.name}, score under 0.70 (4 hits).")
    statuses = dict(db_session.execute(select(Hit.id, Hit.status).where(Hit.work_id == work.id)).all())
    assert [statuses[h.id] for h in weak + strong] == [NO_MATCH] * 4 + [NEW] * 2
    page = client.get("/hits/").get_data(as_text=True)
    assert "Your last decision" in page and "score under 0.70" in page
    assert f'name="decision" value="{done.json["decision"]}"' in page   # the page names the decision to undo
    undone = client.post("/hits/undo", data={"decision": done.json["decision"]}, headers={"Accept": "application/json"})
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


JSON = {"Accept": "application/json"}


def _two_clients_on(db_session, site):
    ours, other = make_client(db_session), make_client(db_session)
    mine = sighting_hits(db_session, make_work(db_session, ours), site, 2)
    theirs = sighting_hits(db_session, make_work(db_session, other), site, 2)
    db_session.commit()
    return ours, mine, theirs


def _rules_on(db_session, site):
    db_session.expire_all()
    return db_session.scalars(select(SiteRule).where(SiteRule.site == site)).all()


def test_a_malformed_client_never_whitelists_a_site_for_every_client(db_session, client_as):
    ours, mine, theirs = _two_clients_on(db_session, "widen.example.com")
    client = client_as("handler")
    for value in ("abc", "", "١٢٣", "99999999999999999999", "-1", " "):
        for url in ("/hits/whitelist", "/hits/rules/whitelist"):
            answer = client.post(url, data={"site": "widen.example.com", "client": value}, headers=JSON,
                                 follow_redirects=True)
            text = answer.get_data(as_text=True).replace("&#39;", "'")
            assert "Client" in text and ("all clients" in text or "is not a client number" in text), (url, value)
        preview = client.get("/hits/whitelist/preview", query_string={"site": "widen.example.com", "client": value})
        assert preview.status_code == 409 and "Client" in preview.json["error"], value
    assert _rules_on(db_session, "widen.example.com") == []
    assert {h.status for h in mine + theirs} == {NEW}
    # every client: said explicitly
    done = client.post("/hits/whitelist", data={"site": "widen.example.com", "client": "all"}, headers=JSON)
    assert done.json["ok"] and "for all clients" in done.json["message"]
    [rule] = _rules_on(db_session, "widen.example.com")
    assert rule.client_id is None


def test_the_rules_page_asks_for_all_clients_explicitly(db_session, client_as):
    ours, mine, theirs = _two_clients_on(db_session, "explicit.example.com")
    client = client_as("handler")
    form = client.get("/hits/rules/").get_data(as_text=True)
    assert '<option value="all"' in form and '<option value="" disabled' in form
    preview = client.get("/hits/rules/?preview=1&new_site=explicit.example.com&new_client=all").get_data(as_text=True)
    assert "for every client" in preview and 'name="client" value="all"' in preview
    done = client.post("/hits/rules/whitelist", data={"site": "explicit.example.com", "client": ours.id},
                       follow_redirects=True).get_data(as_text=True)
    assert "Whitelisted explicit.example.com" in done
    [rule] = _rules_on(db_session, "explicit.example.com")
    assert rule.client_id == ours.id
    assert status_of(db_session, mine + theirs) == [WHITELISTED] * 2 + [NEW] * 2


def test_undo_names_its_decision_a_malformed_one_undoes_nothing(db_session, client_as):
    holder = make_client(db_session)
    hits = sighting_hits(db_session, make_work(db_session, holder), "undo-named.example.com", 2)
    db_session.commit()
    client = client_as("handler")
    done = client.post("/hits/decide", data={"verdict": NO_MATCH, "hit": [h.id for h in hits]}, headers=JSON)
    assert done.json["ok"]
    for value in ("abc", "", "١٢٣", "99999999999999999999", "0"):
        refused = client.post("/hits/undo", data={"decision": value}, headers=JSON)
        assert refused.status_code == 409, value
        assert "Decision" in refused.json["error"] or "which decision" in refused.json["error"], value
    assert status_of(db_session, hits) == [NO_MATCH, NO_MATCH]
    undone = client.post("/hits/undo", data={"decision": done.json["decision"]}, headers=JSON)
    assert undone.json["ok"] and status_of(db_session, hits) == [NEW, NEW]


def test_a_malformed_filter_never_widens_a_bulk_decision(db_session, client_as):
    ours, mine, theirs = _two_clients_on(db_session, "bulk-widen.example.com")
    client = client_as("handler")
    for field, value in (("client", "abc"), ("client", "١٢٣"), ("work", "x"), ("sighting", "-2"),
                         ("older", "1000000"), ("band", "huge"), ("status", "bogus")):
        refused = client.post("/hits/decide", data={"scope": "filter", "verdict": NO_MATCH,
                                                    "site": "bulk-widen.example.com", field: value}, headers=JSON)
        assert refused.status_code == 409 and value[:3] in refused.json["error"], (field, value)
    one_bad = client.post("/hits/decide", data={"verdict": NO_MATCH, "hit": [mine[0].id, "abc"]}, headers=JSON)
    assert one_bad.status_code == 409 and "Hit" in one_bad.json["error"]
    assert {h.status for h in mine + theirs} == {NEW}
