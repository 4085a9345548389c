"""Triage decisions: one hit or thousands at once, undo, whitelists, draft cases."""
from __future__ import annotations

import itertools
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from caseapp.cases.models import Case, CaseItem
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput
from caseapp.core.money import Money
from caseapp.hits import services
from caseapp.hits.models import ILLEGAL, LEGAL, NEW, NO_MATCH, WHITELISTED, Hit, Sighting
from tests.clients.factories import make_client, make_work
from tests.conftest import TODAY

HANDLER = Actor(None, "handler")
_pages = itertools.count(1)


def sighting_hits(session, work, site: str, n: int, score: float = 0.9) -> list[Hit]:
    hits = []
    for _ in range(n):
        url = f"https://{site}/page/{next(_pages)}"
        s = Sighting(key=services.sighting_key(url + ".jpg", url), image_url=url + ".jpg", page_url=url,
                     site=site, found_at=datetime(2025, 11, 2, tzinfo=timezone.utc),     # shown for a year:
                     last_seen_at=datetime(2026, 11, 1, tzinfo=timezone.utc),          # priced as a year's use
                     image_sha256=work.file_sha256, thumbnail_sha256=work.thumbnail_sha256)
        session.add(s)
        session.flush()
        hit = Hit(sighting_id=s.id, work_id=work.id, client_id=work.client_id, site=site,
                  score=score, status=NEW)
        session.add(hit)
        hits.append(hit)
    session.flush()
    return hits


@pytest.fixture()
def setup(db_session):
    holder = make_client(db_session)
    return holder, make_work(db_session, holder)


def status_of(session, hits):
    session.expire_all()
    return [session.get(Hit, h.id).status for h in hits]


def test_bulk_decision_by_site_and_its_undo(db_session, setup):
    holder, work = setup
    shop = sighting_hits(db_session, work, "shop.example.de", 30)
    other = sighting_hits(db_session, work, "other.example.com", 5)
    ids = services.select_hits(db_session, services.HitFilter(client_id=holder.id, site="shop.example.de"), TODAY)
    assert sorted(ids) == sorted(h.id for h in shop)
    decision = services.decide(db_session, HANDLER, ids, NO_MATCH, selection="site shop.example.de", today=TODAY)
    assert decision.count == 30
    assert set(status_of(db_session, shop)) == {NO_MATCH} and set(status_of(db_session, other)) == {NEW}
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "hits.decided")).all()[-1]
    assert event.details["count"] == 30 and event.details["selection"] == "site shop.example.de"
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
    assert sorted(services.select_hits(db_session, services.HitFilter(client_id=holder.id, band="low"), TODAY)) \
        == sorted(h.id for h in low)


def test_whitelisting_a_site_rules_out_its_hits_and_undo_removes_the_rule(db_session, setup):
    holder, work = setup
    hits = sighting_hits(db_session, work, "pinterest.example", 4)
    assert services.rule_preview(db_session, site="pinterest.example", client_id=holder.id, today=TODAY) == 4
    decision = services.whitelist_site(db_session, HANDLER, site="www.pinterest.example", client_id=holder.id,
                                         today=TODAY)
    assert set(status_of(db_session, hits)) == {WHITELISTED}
    assert services.rule_for(db_session, holder.id, work.id, "de.pinterest.example").site == "pinterest.example"
    services.undo(db_session, HANDLER, decision.id)
    assert set(status_of(db_session, hits)) == {NEW}
    assert services.rule_for(db_session, holder.id, work.id, "pinterest.example") is None


def test_illegal_hits_make_one_draft_case_per_site_then_join_it(db_session, setup):
    holder, work = setup
    first = sighting_hits(db_session, work, "shop.example.de", 3)
    services.decide(db_session, HANDLER, [h.id for h in first], ILLEGAL, selection="page", today=TODAY)
    db_session.expire_all()
    case_ids = {db_session.get(Hit, h.id).case_id for h in first}
    assert len(case_ids) == 1 and None not in case_ids
    case = db_session.get(Case, case_ids.pop())
    assert case.stage == "new" and case.client_id == holder.id and case.country == "DE"
    assert case.party.site == "shop.example.de"
    # priced by the German rules: a year's commercial web use of one work by a professional (LG Köln level)
    assert case.claimed == Money.parse("1300.00", "EUR") and case.expected_value is not None
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


def test_a_licence_shown_clears_the_site_for_that_work_only(db_session, setup):
    holder, work = setup
    other_work = make_work(db_session, holder)
    hits = sighting_hits(db_session, work, "hotel.example.at", 2)
    decision = services.decide(db_session, HANDLER, [hits[0].id], LEGAL, selection="hit", today=TODAY)
    rule = services.rule_for(db_session, holder.id, work.id, "hotel.example.at")
    assert rule is not None and rule.work_id == work.id
    why = services.ruled_out(db_session, holder.id, work.id, "hotel.example.at")
    assert (why.rule, why.site, why.work_id) == ("cleared", "hotel.example.at", work.id)
    assert services.rule_for(db_session, holder.id, other_work.id, "hotel.example.at") is None
    # the backlog: the same work's other hit on that site is ruled out; count first, then apply
    assert services.apply_rules(db_session, HANDLER, today=TODAY, min_score=0.5, dry_run=True) == \
        {"whitelisted": 1, "no_match": 0}
    assert status_of(db_session, hits) == [LEGAL, NEW]
    services.apply_rules(db_session, HANDLER, today=TODAY, min_score=0.5)
    assert status_of(db_session, hits) == [LEGAL, WHITELISTED]
    services.undo(db_session, HANDLER, decision.id)
    assert services.rule_for(db_session, holder.id, work.id, "hotel.example.at") is None


def test_a_case_closed_for_a_licence_clears_its_site(db_session, setup):
    from caseapp.cases import services as cases

    holder, work = setup
    hits = sighting_hits(db_session, work, "agency.example.fr", 1)
    services.decide(db_session, HANDLER, [hits[0].id], ILLEGAL, selection="hit", today=TODAY)
    case = db_session.get(Case, db_session.get(Hit, hits[0].id).case_id)
    assert services.ruled_out(db_session, work.client_id, work.id, "agency.example.fr") is None
    cases.change_stage(db_session, HANDLER, case, "closed", today=TODAY, reason="licence_shown")
    why = services.ruled_out(db_session, work.client_id, work.id, "agency.example.fr")
    assert (why.rule, why.case, why.site) == ("licence_shown", case.ref, "agency.example.fr")


def test_the_minimum_score_reapplied_to_the_backlog(db_session, setup):
    _, work = setup
    weak = sighting_hits(db_session, work, "weak.example.com", 2, score=0.52)
    strong = sighting_hits(db_session, work, "weak.example.com", 1, score=0.95)
    assert services.apply_rules(db_session, HANDLER, today=TODAY, min_score=0.6) == {"whitelisted": 0, "no_match": 2}
    assert status_of(db_session, weak + strong) == [NO_MATCH, NO_MATCH, NEW]


def test_a_decision_leaves_hits_someone_else_decided_meanwhile(db_session, setup):
    _, work = setup
    hits = sighting_hits(db_session, work, "race.example.com", 3)
    services.decide(db_session, Actor(None, "colleague"), [hits[0].id], LEGAL, selection="hit", today=TODAY)
    mine = services.decide(db_session, HANDLER, [h.id for h in hits], NO_MATCH, selection="page", today=TODAY,
                           expect_status=NEW)
    assert mine.count == 2 and status_of(db_session, hits) == [LEGAL, NO_MATCH, NO_MATCH]
    outcome = services.decision_outcome(db_session, mine)
    assert outcome.kind == services.DECIDED and outcome.count == 2 and outcome.status == NO_MATCH
    assert sorted(outcome.hits) == [hits[1].id, hits[2].id]


def test_triage_page_groups_by_site_pages_by_keyset_and_counts_clusters(db_session, setup):
    holder, work = setup
    second = make_work(db_session, holder)
    b = sighting_hits(db_session, work, "b.example.com", 3)
    a = sighting_hits(db_session, work, "a.example.com", 2)
    collage = Hit(sighting_id=a[0].sighting_id, work_id=second.id, client_id=holder.id,
                  site="a.example.com", score=0.8)
    db_session.add(collage)
    db_session.flush()
    selection = services.HitFilter(client_id=holder.id)
    first = services.triage_page(db_session, selection, TODAY, limit=4)
    assert [h.id for h in first.hits] == [a[0].id, a[1].id, collage.id, b[0].id] and first.total == 6
    assert first.sighting_hits[a[0].sighting_id] == 2 and first.site_hits[(work.id, "a.example.com")] == 2
    rest = services.triage_page(db_session, selection, TODAY, after=first.next_after, limit=4)
    assert [h.id for h in rest.hits] == [b[1].id, b[2].id] and rest.next_after is None
    cluster = services.HitFilter.from_args({"client": str(holder.id), "sighting": str(a[0].sighting_id)})
    assert sorted(services.select_hits(db_session, cluster, TODAY)) == sorted([a[0].id, collage.id])
    assert cluster.describe() == f"to decide, client {holder.id}, sighting {a[0].sighting_id}"
    assert services.HitFilter.from_args({"status": "bogus", "band": "nope", "older": "x"}) == services.HitFilter()


def test_whitelisting_a_site_covers_its_subdomains(db_session, setup):
    holder, work = setup
    shop = sighting_hits(db_session, work, "shop.example.de", 2)
    other = sighting_hits(db_session, work, "notexample.de", 1)
    assert services.rule_preview(db_session, site="example.de", client_id=holder.id, today=TODAY) == 2
    services.whitelist_site(db_session, HANDLER, site="example.de", client_id=holder.id, today=TODAY)
    assert status_of(db_session, shop + other) == [WHITELISTED, WHITELISTED, NEW]


def test_a_decision_that_changed_nothing_is_not_the_one_to_undo(db_session, setup):
    _, work = setup
    hit = sighting_hits(db_session, work, "twice.example.com", 1)[0]
    first = services.decide(db_session, HANDLER, [hit.id], NO_MATCH, selection="hit", today=TODAY, expect_status=NEW)
    services.decide(db_session, HANDLER, [hit.id], LEGAL, selection="hit", today=TODAY, expect_status=NEW)
    assert services.last_decision(db_session, None, "handler").id == first.id


def test_undo_keeps_a_clearance_another_licence_still_needs(db_session, setup):
    holder, work = setup
    h1, h2 = sighting_hits(db_session, work, "licensed.example.com", 2)
    a = services.decide(db_session, HANDLER, [h1.id], LEGAL, selection="hit", today=TODAY)
    b = services.decide(db_session, HANDLER, [h2.id], LEGAL, selection="hit", today=TODAY)
    services.undo(db_session, HANDLER, a.id)
    rule = services.rule_for(db_session, holder.id, work.id, "licensed.example.com")
    assert rule is not None and rule.decision_id == b.id
    services.undo(db_session, HANDLER, b.id)
    assert services.rule_for(db_session, holder.id, work.id, "licensed.example.com") is None


def test_hits_in_a_case_are_left_to_the_case(db_session, setup):
    _, work = setup
    hits = sighting_hits(db_session, work, "incase.example.de", 2)
    services.decide(db_session, HANDLER, [h.id for h in hits], ILLEGAL, selection="page", today=TODAY)
    again = services.decide(db_session, HANDLER, [h.id for h in hits], LEGAL, selection="page", today=TODAY)
    assert again.count == 0 and status_of(db_session, hits) == [ILLEGAL, ILLEGAL]
    outcome = services.decision_outcome(db_session, again)
    assert outcome.kind == services.LEFT_IN_CASES and outcome.left_in_cases >= 1


def test_only_the_decider_or_an_admin_undoes(db_session, setup):
    _, work = setup
    hit = sighting_hits(db_session, work, "mine.example.com", 1)[0]
    mine = services.decide(db_session, Actor(None, "tom"), [hit.id], NO_MATCH, selection="hit", today=TODAY)
    with pytest.raises(InvalidInput, match="tom's: ask them, or an admin"):
        services.undo(db_session, HANDLER, mine.id, others_allowed=False)
    services.undo(db_session, Actor(None, "tom"), mine.id, others_allowed=False)
