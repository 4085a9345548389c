"""The whitelists page: see the rules, count before adding, add, remove, re-apply."""
from __future__ import annotations

from sqlalchemy import select

from caseapp.core.audit import AuditEvent
from caseapp.hits import services
from caseapp.hits.models import LEGAL, WHITELISTED, SiteRule, Hit
from tests.clients.factories import make_client, make_work
from tests.conftest import TODAY
from tests.hits.test_triage import HANDLER, sighting_hits


def test_count_then_whitelist_then_remove(db_session, client_as):
    holder = make_client(db_session)
    work = make_work(db_session, holder)
    hits = sighting_hits(db_session, work, "own-site.example.org", 3)
    client = client_as("handler")
    page = client.get(f"/hits/rules/?preview=1&new_site=own-site.example.org&new_client={holder.id}")
    assert "<b>3</b> undecided hits on own-site.example.org would be" in page.get_data(as_text=True)
    done = client.post("/hits/rules/whitelist", data={"site": "own-site.example.org", "client": holder.id,
                                                      "note": "the client's own site"}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "Whitelisted own-site.example.org" in text and "the client&#39;s own site" in text
    assert {db_session.get(Hit, h.id).status for h in hits} == {WHITELISTED}
    rule = db_session.scalars(select(SiteRule).where(SiteRule.site == "own-site.example.org")).one()
    removed = client.post(f"/hits/rules/{rule.id}/remove", follow_redirects=True).get_data(as_text=True)
    assert "Removed the whitelist of own-site.example.org" in removed
    assert db_session.get(SiteRule, rule.id) is None
    assert db_session.scalars(select(AuditEvent).where(AuditEvent.action == "hits.rule_removed")).first()
    gone = client.post(f"/hits/rules/{rule.id}/remove", follow_redirects=True).get_data(as_text=True)
    assert "removed already" in gone


def test_clearances_are_listed_and_the_backlog_counted_then_applied(db_session, client_as):
    holder = make_client(db_session)
    work = make_work(db_session, holder)
    first, second = sighting_hits(db_session, work, "licensee.example.com", 2)
    services.decide(db_session, HANDLER, [first.id], LEGAL, selection="hit", today=TODAY)
    client = client_as("handler")
    listed = client.get("/hits/rules/?kind=clearances&site=licensee").get_data(as_text=True)
    assert "licensee.example.com" in listed and "licence shown" in listed
    counted = client.get("/hits/rules/?backlog=1").get_data(as_text=True)
    assert "would become whitelisted" in counted
    client.post("/hits/rules/apply")
    db_session.expire_all()
    assert db_session.get(Hit, second.id).status == WHITELISTED and db_session.get(Hit, first.id).status == LEGAL
