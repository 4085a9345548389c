"""Triage decisions: one hit or thousands at once, undo, whitelists, draft cases."""
from __future__ import annotations

import itertools
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from caseapp.cases.models import Case, CaseItem
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput
from caseapp.hits import services
from caseapp.hits.models import ILLEGAL, LEGAL, NEW, NO_MATCH, WHITELISTED, Hit, Sighting
from tests import factories
from tests.conftest import TODAY

HANDLER = Actor(None, "handler")
_pages = itertools.count(1)


def sighting_hits(session, work, domain: str, n: int, score: float = 0.9) -> list[Hit]:
    hits = []
    for _ in range(n):
        url = f"https://{domain}/page/{next(_pages)}"
        s = Sighting(key=services.sighting_key(url + ".jpg", url), image_url=url + ".jpg", page_url=url,
                     domain=domain, found_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
                     image_sha256=work.file_sha256, thumbnail_sha256=work.thumbnail_sha256)
        session.add(s)
        session.flush()
        hit = Hit(sighting_id=s.id, work_id=work.id, rights_holder_id=work.rights_holder_id, domain=domain,
                  score=score, status=NEW)
        session.add(hit)
        hits.append(hit)
    session.flush()
    return hits


@pytest.fixture()
def setup(db_session):
    holder = factories.client(db_session)
    return holder, factories.work(db_session, holder)


def status_of(session, hits):
    session.expire_all()
    return [session.get(Hit, h.id).status for h in hits]


def test_bulk_decision_by_domain_and_its_undo(db_session, setup):
    holder, work = setup
    shop = sighting_hits(db_session, work, "shop.example.de", 30)
    other = sighting_hits(db_session, work, "other.example.com", 5)
    ids = services.select_hits(db_session, client_id=holder.id, domain="shop.example.de")
    assert sorted(ids) == sorted(h.id for h in shop)
    decision = services.decide(db_session, HANDLER, ids, NO_MATCH, selection="domain shop.example.de", today=TODAY)
    assert decision.count == 30
    assert set(status_of(db_session, shop)) == {NO_MATCH} and set(status_of(db_session, other)) == {NEW}
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "hits.decided")).all()[-1]
    assert event.details["count"] == 30 and event.details["selection"] == "domain shop.example.de"
    services.undo(db_session, HANDLER, decision.id)
    assert set(status_of(db_session, shop)) == {NEW}
    with pytest.raises(InvalidInput, match="undone already"):
        services.undo(db_session, HANDLER, decision.id)


def test_undo_keeps_what_a_later_decision_changed(db_session, setup):
    _, work = setup
    hits = sighting_hits(db_session, work, "a.example.com", 3)
    first = services.decide(db_session, HANDLER, [h.id for h in hits], NO_MATCH, selection="page", today=TODAY)
    services.decide(db_session, HANDLER, [hits[0].id], LEGAL, selection="hit", today=TODAY)
    services.undo(db_session, HANDLER, first.id)
    assert status_of(db_session, hits) == [LEGAL, NEW, NEW]


def test_score_band_selection(db_session, setup):
    holder, work = setup
    low = sighting_hits(db_session, work, "low.example.com", 4, score=0.55)
    sighting_hits(db_session, work, "high.example.com", 4, score=0.95)
    assert sorted(services.select_hits(db_session, client_id=holder.id, max_score=0.6)) == sorted(h.id for h in low)


def test_whitelisting_a_domain_rules_out_its_hits_and_undo_removes_the_rule(db_session, setup):
    holder, work = setup
    hits = sighting_hits(db_session, work, "pinterest.example", 4)
    assert services.rule_preview(db_session, domain="pinterest.example", client_id=holder.id) == 4
    decision = services.whitelist_domain(db_session, HANDLER, domain="www.pinterest.example", client_id=holder.id,
                                         today=TODAY)
    assert set(status_of(db_session, hits)) == {WHITELISTED}
    assert services.whitelisted(db_session, holder.id, "de.pinterest.example").domain == "pinterest.example"
    services.undo(db_session, HANDLER, decision.id)
    assert set(status_of(db_session, hits)) == {NEW}
    assert services.whitelisted(db_session, holder.id, "pinterest.example") is None


def test_illegal_hits_make_one_draft_case_per_site_then_join_it(db_session, setup):
    holder, work = setup
    first = sighting_hits(db_session, work, "shop.example.de", 3)
    services.decide(db_session, HANDLER, [h.id for h in first], ILLEGAL, selection="page", today=TODAY)
    db_session.expire_all()
    case_ids = {db_session.get(Hit, h.id).case_id for h in first}
    assert len(case_ids) == 1 and None not in case_ids
    case = db_session.get(Case, case_ids.pop())
    assert case.stage == "new" and case.rights_holder_id == holder.id and case.country == "DE"
    assert case.infringer.website == "shop.example.de"
    more = sighting_hits(db_session, work, "www2.example.com", 1)
    # two fresh hits: one on the same site joins the open case, the other makes a new one
    later = sighting_hits(db_session, work, "shop.example.de", 1) + more
    services.decide(db_session, HANDLER, [h.id for h in later], ILLEGAL, selection="page", today=TODAY)
    assert db_session.scalar(select(func.count()).select_from(CaseItem).where(CaseItem.case_id == case.id)) == 4
    assert db_session.get(Hit, more[0].id).case_id not in (None, case.id)
    with pytest.raises(InvalidInput, match="draft case"):
        last = db_session.scalars(select(Hit.decision_id).where(Hit.id == first[0].id)).one()
        services.undo(db_session, HANDLER, last)


def test_a_decision_must_be_a_decision(db_session, setup):
    with pytest.raises(InvalidInput, match="not a decision"):
        services.decide(db_session, HANDLER, [], NEW, selection="x", today=TODAY)
