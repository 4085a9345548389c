"""Who may undo a triage decision or remove a rule on the pages: the person who made it, or
someone with undo_others / remove_others_rules (an admin); another handler is refused with
the maker's name, and nothing changes."""
from __future__ import annotations

from sqlalchemy import select

from caseapp.hits.models import NEW, NO_MATCH, WHITELISTED, HitDecision, SiteRule
from tests.clients.factories import make_client, make_work
from tests.hits.factories import make_hit, statuses

JSON = {"Accept": "application/json"}


def test_another_handler_cannot_undo_a_decision_an_admin_can(db_session, client_as):
    hits = [make_hit(db_session, make_work(db_session, make_client(db_session)), "undo-perm.example.com")]
    db_session.commit()
    done = client_as("handler").post("/hits/decide", data={"verdict": NO_MATCH, "hit": [h.id for h in hits]},
                                     headers=JSON)
    assert done.json["ok"]
    refused = client_as("handler2").post("/hits/undo", data={"decision": done.json["decision"]}, headers=JSON)
    assert refused.status_code == 409
    assert refused.json["error"] == ("The decision on \u201c{}\u201d on undo-perm.example.com is handler's: ask them, "
                                     "or an admin, to undo it.").format(hits[0].work.title)
    assert statuses(db_session, hits) == [NO_MATCH]
    assert db_session.get(HitDecision, done.json["decision"]).undone_at is None
    undone = client_as("admin").post("/hits/undo", data={"decision": done.json["decision"]}, headers=JSON)
    assert undone.status_code == 200 and undone.json["ok"] and statuses(db_session, hits) == [NEW]


def test_the_maker_undoes_their_own_decision_on_the_page(db_session, client_as):
    hits = [make_hit(db_session, make_work(db_session, make_client(db_session)), "undo-own.example.com")]
    db_session.commit()
    client = client_as("handler2")
    done = client.post("/hits/decide", data={"verdict": NO_MATCH, "hit": [h.id for h in hits]}, headers=JSON)
    undone = client.post("/hits/undo", data={"decision": done.json["decision"]}, headers=JSON)
    assert undone.status_code == 200 and undone.json["ok"] and statuses(db_session, hits) == [NEW]


def test_another_handler_cannot_remove_a_whitelist_an_admin_can(db_session, client_as):
    holder = make_client(db_session)
    hits = [make_hit(db_session, make_work(db_session, holder), "rule-perm.example.com")]
    db_session.commit()
    client_as("handler").post("/hits/rules/whitelist", data={"site": "rule-perm.example.com", "client": holder.id})
    assert statuses(db_session, hits) == [WHITELISTED]
    rule = db_session.scalars(select(SiteRule).where(SiteRule.site == "rule-perm.example.com")).one()
    refused = client_as("handler2").post(f"/hits/rules/{rule.id}/remove", follow_redirects=True)
    assert "The rule for rule-perm.example.com is handler&#39;s: ask them, or an admin, to remove it." in \
        refused.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(SiteRule, rule.id) is not None
    removed = client_as("admin").post(f"/hits/rules/{rule.id}/remove", follow_redirects=True)
    assert "Removed the whitelist of rule-perm.example.com" in removed.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(SiteRule, rule.id) is None
