"""The triage page as a person reads it: messages name a hit by its work's title and its site,
with plural forms right; each answer carries the page's numbers as they are after the change;
the key legend offers only the keys the person's role can use."""
from __future__ import annotations

import re

from caseapp.hits import services
from caseapp.hits.models import ILLEGAL, LEGAL, NEW, NO_MATCH, HitDecision
from tests.clients.factories import make_client, make_work
from tests.conftest import TODAY
from tests.hits.factories import make_hit

JSON = {"Accept": "application/json"}


def _titled(db_session, holder, title):
    work = make_work(db_session, holder)
    work.title = title
    db_session.flush()
    return work


def test_one_hit_is_named_by_its_works_title_and_site_and_counted_in_the_singular(db_session, client_as, holder):
    hit = make_hit(db_session, _titled(db_session, holder, "Harbour at dusk"), "example.com")
    db_session.commit()
    client = client_as("handler")
    done = client.post("/hits/decide", data={"verdict": NO_MATCH, "hit": hit.id, "expect": NEW}, headers=JSON)
    assert done.json["message"] == "Marked no match: \u201cHarbour at dusk\u201d on example.com (1 hit). U undoes."
    undone = client.post("/hits/undo", data={"decision": done.json["decision"]}, headers=JSON)
    assert undone.json["message"] == "Undone: \u201cHarbour at dusk\u201d on example.com (1 hit back as it was)."
    assert undone.json["restored"] == {str(hit.id): NEW}


def test_several_hits_are_named_by_their_site_and_counted_in_the_plural(db_session, client_as, holder):
    work = _titled(db_session, holder, "Dunes")
    same = [make_hit(db_session, work, "plural.example.com") for _ in range(2)]
    elsewhere = make_hit(db_session, work, "other.example.org")
    db_session.commit()
    client = client_as("handler")
    done = client.post("/hits/decide", data={"verdict": ILLEGAL, "hit": [h.id for h in same]}, headers=JSON)
    assert done.json["message"].startswith("Marked illegal: the selected hits on plural.example.com (2 hits); "
                                           "draft case C-")
    undone = client.post("/hits/decide", data={"verdict": LEGAL, "hit": [same[0].id, elsewhere.id]}, headers=JSON)
    # one of the two is in a draft case now: one changed, one left, each counted in its own number
    assert undone.json["message"] == ("Marked legal (licensed): the hits selected on the page (1 hit). U undoes. "
                                      "1 hit in a case was left as it is: close the case instead.")
    back = client.post("/hits/undo", data={"decision": done.json["decision"]}, headers=JSON)
    assert back.status_code == 409 and "draft case C-" in back.json["error"]


def test_a_decision_and_its_undo_send_back_the_pages_numbers(db_session, client_as, holder):
    hits = [make_hit(db_session, make_work(db_session, holder), "counts.example.com") for _ in range(3)]
    db_session.commit()
    client = client_as("handler")
    view = f"status=new&client={holder.id}"
    done = client.post("/hits/decide", data={"verdict": NO_MATCH, "hit": hits[0].id, "view": view}, headers=JSON)
    assert done.json["counts"]["by_status"] == {NEW: 2, LEGAL: 0, ILLEGAL: 0, "whitelisted": 0, NO_MATCH: 1}
    assert done.json["counts"]["total"] == 2                       # the page's selection: the client's new hits
    assert done.json["last"]["id"] == done.json["decision"]
    assert done.json["last"]["words"].startswith(f"\u201c{hits[0].work.title}\u201d on counts.example.com \u2192 "
                                                 "No match (1 hit, ")
    on_site = client.post("/hits/decide", data={"verdict": LEGAL, "hit": hits[1].id,
                                                "view": "?status=all&site=counts.example.com"}, headers=JSON)
    assert on_site.json["counts"]["total"] == 3                    # "all" on the site: every one of them
    undone = client.post("/hits/undo", data={"decision": on_site.json["decision"], "view": view}, headers=JSON)
    assert undone.json["counts"]["by_status"][NEW] == 2 and undone.json["counts"]["by_status"][LEGAL] == 0
    assert undone.json["last"]["id"] == done.json["decision"]      # U now undoes the one before
    emptied = client.post("/hits/undo", data={"decision": done.json["decision"], "view": view}, headers=JSON)
    assert emptied.json["last"] is None                              # nothing left to undo: the page hides the line
    assert emptied.json["counts"]["by_status"][NEW] == 3


def test_a_refused_decision_sends_no_numbers(db_session, client_as):
    refused = client_as("handler").post("/hits/decide", data={"verdict": NO_MATCH, "view": "status=new"},
                                        headers=JSON)
    assert refused.status_code == 409 and set(refused.json) == {"ok", "error"}


def test_older_decisions_stored_by_number_are_shown_by_name(db_session, client_as, users, holder):
    hit = make_hit(db_session, _titled(db_session, holder, "Old harbour"), "legacy.example.com")
    db_session.add(HitDecision(status=NO_MATCH, selection=f"hit {hit.id}", count=2, user_id=users["handler"].id,
                               user_name="handler", made_at=hit.sighting.found_at))
    db_session.commit()
    page = client_as("handler").get("/hits/").get_data(as_text=True)
    words = re.search(r'<b id="last-words">(.*?)</b>', page).group(1)
    assert words.startswith("\u201cOld harbour\u201d on legacy.example.com \u2192 No match (2 hits, "), words


def test_a_cluster_selection_names_the_work_and_client_not_their_numbers(db_session, client_as, holder):
    work = _titled(db_session, holder, "Lighthouse")
    make_hit(db_session, work, "cluster.example.com")
    db_session.commit()
    page = client_as("handler").get(f"/hits/?status=all&work={work.id}&client={holder.id}").get_data(as_text=True)
    assert f"Cluster: any status, for {holder.name}, of \u201cLighthouse\u201d" in page
    assert f"work {work.id}" not in page and f"client {holder.id}" not in page
    # without names (a work that does not exist), the numbers say what was asked for
    assert services.HitFilter(work_id=999999).describe(services.selection_names(
        db_session, services.HitFilter(work_id=999999))) == "to decide, work 999999"


LEGEND = re.compile(r'<aside class="ca-legend".*?</aside>', re.S)
DECISION_KEYS = ("<kbd>L</kbd>", "<kbd>I</kbd>", "<kbd>W</kbd>", "<kbd>N</kbd>", "<kbd>U</kbd>", "<kbd>X</kbd>",
                 "<kbd>A</kbd>")


def test_the_legend_offers_the_decision_keys_to_those_who_decide(db_session, client_as, holder):
    make_hit(db_session, make_work(db_session, holder), "legend.example.com")
    db_session.commit()
    page = client_as("handler").get("/hits/").get_data(as_text=True)
    legend = LEGEND.search(page).group(0)
    assert all(key in legend for key in DECISION_KEYS + ("<kbd>J</kbd>", "<kbd>O</kbd>")), legend
    assert 'class="ca-check"' in page and 'id="check-all"' in page      # X and A select with these


def test_the_legend_offers_only_reading_keys_to_those_who_may_not_decide(db_session, client_as, holder):
    make_hit(db_session, make_work(db_session, holder), "legend.example.com")
    db_session.commit()
    for role in ("lawyer", "auditor"):
        page = client_as(role).get("/hits/").get_data(as_text=True)
        legend = LEGEND.search(page).group(0)
        assert not any(key in legend for key in DECISION_KEYS), (role, legend)
        assert "<kbd>J</kbd>" in legend and "<kbd>O</kbd>" in legend and 'data-can-decide="0"' in page
        assert 'class="ca-check"' not in page and 'id="check-all"' not in page   # nothing to select for


def test_removing_a_clearance_names_the_work(db_session, client_as, holder):
    work = _titled(db_session, holder, "Cleared cliff")
    hit = make_hit(db_session, work, "cleared.example.com")
    db_session.commit()
    client = client_as("handler")
    client.post("/hits/decide", data={"verdict": LEGAL, "hit": hit.id}, headers=JSON)
    rule = services.rule_for(db_session, holder.id, work.id, "cleared.example.com")
    removed = client.post(f"/hits/rules/{rule.id}/remove", follow_redirects=True).get_data(as_text=True)
    assert "Removed the clearance of cleared.example.com for \u201cCleared cliff\u201d" in removed


def test_a_hit_found_as_the_same_picture_says_so_and_a_placed_one_does_not(db_session, client_as, holder):
    """A hit the engine found by its perceptual hash (placed over the whole work) reads "the same
    picture, resized or recompressed" beside its score, one found by its mirror's hash "the same
    picture, mirrored"; one placed by verification, or with no placement, says nothing more."""
    from matching.engine import MIRRORED, WHOLE

    work = _titled(db_session, holder, "Fog on the pier")
    whole = make_hit(db_session, work, "same.example.com")
    whole.transform = list(WHOLE)
    placed = make_hit(db_session, work, "placed.example.com")
    placed.transform = [0.5, 0.0, 0.25, 0.0, 0.5, 0.25, 0.0, 0.0, 1.0]
    bare = make_hit(db_session, work, "bare.example.com")
    flipped = make_hit(db_session, work, "flipped.example.com")
    flipped.transform = list(MIRRORED)
    db_session.commit()
    assert whole.same_picture and not placed.same_picture and not bare.same_picture
    assert flipped.mirrored_picture and not flipped.same_picture and not whole.mirrored_picture
    assert not placed.mirrored_picture and not bare.mirrored_picture
    html = client_as("handler").get(f"/hits/?client={holder.id}").get_data(as_text=True)
    rows = {m.group(1): m.group(0) for m in re.finditer(r'<tr class="ca-hit" id="hit-(\d+)".*?>', html, re.S)}
    assert 'data-how="(the same picture, resized or recompressed)"' in rows[str(whole.id)]
    assert 'data-how="(the same picture, mirrored)"' in rows[str(flipped.id)]
    assert 'data-how=""' in rows[str(placed.id)] and 'data-how=""' in rows[str(bare.id)]
