"""Triage decisions at their edges: what a decision writes on each hit and keeps for undo,
which hits it leaves alone, what it tells the audit trail and the page, and who may undo it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from caseapp.cases import services as cases
from caseapp.cases.models import Case
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.hits import services
from caseapp.hits.models import (ILLEGAL, LEGAL, NEW, NO_MATCH, WHITELISTED, Hit, HitDecision, HitDecisionItem,
                                 SiteRule)
from caseapp.hits.triage import made_by
from tests.clients.factories import make_client, make_work
from tests.conftest import TODAY
from tests.hits.factories import make_hit, statuses

HANDLER = Actor(None, "handler")


def last_event(session, action: str) -> AuditEvent:
    return session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
                           ).first()


def rules_of(session, work_id: int) -> list[tuple]:
    return sorted(session.execute(select(SiteRule.client_id, SiteRule.work_id, SiteRule.site)
                                  .where(SiteRule.work_id == work_id)).all())


@pytest.mark.parametrize("status", [LEGAL, ILLEGAL, WHITELISTED, NO_MATCH])
def test_each_verdict_is_a_decision(db_session, work, status):
    hit = make_hit(db_session, work, "verdicts.example.com")
    decision = services.decide(db_session, HANDLER, [hit.id], status, selection="hit", today=TODAY)
    assert decision.count == 1 and statuses(db_session, [hit]) == [status]


@pytest.mark.parametrize("status", [NEW, "maybe", ""])
def test_new_or_an_unknown_word_is_refused_with_the_choices(db_session, work, status):
    hit = make_hit(db_session, work, "refused.example.com")
    with pytest.raises(InvalidInput, match=f"^Verdict: '{status}' is not a decision; choose legal \\(licensed\\), "
                                           "illegal, whitelisted or no match.$"):
        services.decide(db_session, HANDLER, [hit.id], status, selection="hit", today=TODAY)
    assert statuses(db_session, [hit]) == [NEW]


def test_a_decision_writes_who_when_and_which_decision_on_each_hit(db_session, work, users):
    tom = Actor(users["handler2"].id, "handler2")
    hits = [make_hit(db_session, work, "written.example.com") for _ in range(2)]
    versions = [h.version for h in hits]
    decision = services.decide(db_session, tom, [h.id for h in hits] * 2, NO_MATCH, selection="page",
                               today=TODAY)
    stored = db_session.get(HitDecision, decision.id)
    assert (stored.status, stored.selection, stored.count, stored.user_id, stored.user_name) == \
        (NO_MATCH, "page", 2, users["handler2"].id, "handler2")
    assert stored.made_at is not None and stored.undone_at is None
    for hit, version in zip(hits, versions):
        fresh = db_session.get(Hit, hit.id)
        assert (fresh.status, fresh.decision_id, fresh.decided_by, fresh.version) == \
            (NO_MATCH, decision.id, "handler2", version + 1)
        assert fresh.decided_at == stored.made_at


def test_a_decision_keeps_each_hits_previous_status_for_undo(db_session, work):
    legal = make_hit(db_session, work, "kept.example.com", status=LEGAL)
    new = make_hit(db_session, work, "kept.example.com")
    decision = services.decide(db_session, HANDLER, [legal.id, new.id], NO_MATCH, selection="page", today=TODAY)
    items = db_session.execute(select(HitDecisionItem.hit_id, HitDecisionItem.from_status,
                                      HitDecisionItem.from_case_id)
                               .where(HitDecisionItem.decision_id == decision.id)).all()
    assert sorted(items) == sorted([(legal.id, LEGAL, None), (new.id, NEW, None)])
    services.undo(db_session, HANDLER, decision.id)
    assert statuses(db_session, [legal, new]) == [LEGAL, NEW]
    fresh = db_session.get(Hit, new.id)
    assert (fresh.decision_id, fresh.decided_at, fresh.decided_by) == (None, None, None)


def test_hits_already_in_that_status_are_not_counted_nor_taken_back_by_undo(db_session, work):
    done = make_hit(db_session, work, "same.example.com", status=NO_MATCH)
    new = make_hit(db_session, work, "same.example.com")
    decision = services.decide(db_session, HANDLER, [done.id, new.id], NO_MATCH, selection="page", today=TODAY)
    assert decision.count == 1
    services.undo(db_session, HANDLER, decision.id)
    assert statuses(db_session, [done, new]) == [NO_MATCH, NEW]


def test_with_an_expected_status_only_hits_still_in_it_change(db_session, work):
    new = make_hit(db_session, work, "expected.example.com")
    legal = make_hit(db_session, work, "expected.example.com", status=LEGAL)
    decision = services.decide(db_session, HANDLER, [new.id, legal.id], NO_MATCH, selection="page", today=TODAY,
                               expect_status=NEW)
    assert decision.count == 1 and statuses(db_session, [new, legal]) == [NO_MATCH, LEGAL]


def test_a_long_selection_is_kept_to_its_first_300_characters(db_session, work):
    hit = make_hit(db_session, work, "long.example.com")
    words = "site long.example.com " + "x" * 400
    decision = services.decide(db_session, HANDLER, [hit.id], NO_MATCH, selection=words, today=TODAY)
    assert db_session.get(HitDecision, decision.id).selection == words[:300]
    assert last_event(db_session, "hits.decided").details["selection"] == words   # the audit keeps it whole


def test_the_audit_trail_says_what_a_decision_did(db_session, work):
    hits = [make_hit(db_session, work, "audited.example.de") for _ in range(2)]
    decision = services.decide(db_session, HANDLER, [h.id for h in hits], ILLEGAL, selection="page", today=TODAY)
    event = last_event(db_session, "hits.decided")
    ref = db_session.scalar(select(Case.ref).where(Case.id == db_session.get(Hit, hits[0].id).case_id))
    assert (event.subject_type, event.subject_id, event.to_state, event.actor_name) == \
        ("hit_decision", decision.id, ILLEGAL, "handler")
    assert event.details == {"selection": "page", "count": 2, "cases": [ref], "cleared": 0, "left_in_cases": 0}


def test_a_legal_verdict_clears_each_work_on_its_site_once(db_session, work):
    other = make_work(db_session, make_client(db_session))
    hits = [make_hit(db_session, work, "licensee.example.com"), make_hit(db_session, work, "licensee.example.com"),
            make_hit(db_session, work, "second.example.com"), make_hit(db_session, other, "licensee.example.com")]
    decision = services.decide(db_session, Actor(None, "hanna"), [h.id for h in hits], LEGAL, selection="page",
                               today=TODAY)
    assert rules_of(db_session, work.id) == [(work.client_id, work.id, "licensee.example.com"),
                                             (work.client_id, work.id, "second.example.com")]
    assert rules_of(db_session, other.id) == [(other.client_id, other.id, "licensee.example.com")]
    rule = db_session.scalars(select(SiteRule).where(SiteRule.work_id == other.id)).one()
    assert (rule.note, rule.created_by, rule.decision_id) == ("licence shown at triage", "hanna", decision.id)
    assert last_event(db_session, "hits.decided").details["cleared"] == 3


def test_a_clearance_already_there_is_not_made_twice(db_session, work):
    services.clear_site(db_session, HANDLER, client_id=work.client_id, work_id=work.id, site="twice.example.com",
                        note="case C-1")
    hit = make_hit(db_session, work, "twice.example.com")
    services.decide(db_session, HANDLER, [hit.id], LEGAL, selection="hit", today=TODAY)
    assert rules_of(db_session, work.id) == [(work.client_id, work.id, "twice.example.com")]
    assert last_event(db_session, "hits.decided").details["cleared"] == 0


@pytest.mark.parametrize("status", [ILLEGAL, WHITELISTED, NO_MATCH])
def test_only_a_legal_verdict_clears_a_site(db_session, work, status):
    hit = make_hit(db_session, work, "notcleared.example.de")
    services.decide(db_session, HANDLER, [hit.id], status, selection="hit", today=TODAY)
    assert rules_of(db_session, work.id) == []
    assert services.ruled_out(db_session, work.client_id, work.id, "notcleared.example.de") is None


@pytest.mark.parametrize("status", [LEGAL, WHITELISTED, NO_MATCH])
def test_only_an_illegal_verdict_makes_a_draft_case(db_session, work, status):
    hit = make_hit(db_session, work, "nocase.example.de")
    services.decide(db_session, HANDLER, [hit.id], status, selection="hit", today=TODAY)
    assert db_session.get(Hit, hit.id).case_id is None
    assert last_event(db_session, "hits.decided").details["cases"] == []


def test_an_illegal_verdict_on_hits_in_a_case_changes_nothing_and_says_so(db_session, work):
    hit = make_hit(db_session, work, "inacase.example.de")
    services.decide(db_session, HANDLER, [hit.id], ILLEGAL, selection="hit", today=TODAY)
    again = services.decide(db_session, HANDLER, [hit.id], NO_MATCH, selection="hit", today=TODAY)
    assert (again.count, again.left_in_cases) == (0, 1)
    assert last_event(db_session, "hits.decided").details == {"selection": "hit", "count": 0, "cases": [],
                                                               "cleared": 0, "left_in_cases": 1}
    outcome = services.decision_outcome(db_session, again)
    assert (outcome.kind, outcome.left_in_cases, outcome.hits) == (services.LEFT_IN_CASES, 1, [])


def test_a_decision_on_hits_decided_already_is_nothing(db_session, work):
    hit = make_hit(db_session, work, "nothing.example.com", status=NO_MATCH)
    decision = services.decide(db_session, HANDLER, [hit.id], NO_MATCH, selection="hit", today=TODAY)
    outcome = services.decision_outcome(db_session, decision)
    assert (outcome.kind, outcome.count, outcome.left_in_cases) == (services.NOTHING, 0, 0)


def test_the_outcome_names_the_draft_cases_and_each_hits_case(db_session, work):
    earlier = make_hit(db_session, work, "earlier-outcome.example.de")
    services.decide(db_session, HANDLER, [earlier.id], ILLEGAL, selection="hit", today=TODAY)   # not this one's
    hits = [make_hit(db_session, work, "outcome.example.de") for _ in range(3)]
    decision = services.decide(db_session, HANDLER, [h.id for h in hits], ILLEGAL, selection="page", today=TODAY)
    case_id = db_session.get(Hit, hits[0].id).case_id
    ref = cases.refs_by_id(db_session, [case_id])[case_id]
    outcome = services.decision_outcome(db_session, decision)
    assert (outcome.kind, outcome.decision_id, outcome.status, outcome.count, outcome.selection) == \
        (services.DECIDED, decision.id, ILLEGAL, 3, "page")
    assert sorted(outcome.hits) == sorted(h.id for h in hits)
    assert outcome.cases == [ref] and outcome.case_of == {h.id: ref for h in hits}
    assert outcome.left_in_cases == 0
    short = services.decision_outcome(db_session, decision, limit=2)
    assert len(short.hits) == 2 and len(short.case_of) == 2 and short.count == 3


def test_the_outcome_of_a_decision_read_again_later_left_nothing_in_cases(db_session, work):
    """A decision read back from the database (not the one decide returned) has no count of
    hits left in cases: it changed nothing, so nothing it is."""
    hit = make_hit(db_session, work, "read-again.example.com", status=NO_MATCH)
    decision_id = services.decide(db_session, HANDLER, [hit.id], NO_MATCH, selection="hit", today=TODAY).id
    db_session.expunge_all()
    outcome = services.decision_outcome(db_session, db_session.get(HitDecision, decision_id))
    assert (outcome.kind, outcome.left_in_cases) == (services.NOTHING, 0)


def test_a_whitelist_is_a_whitelist_outcome_even_when_no_hit_waited(db_session, work):
    decision = services.whitelist_site(db_session, HANDLER, site="empty-wl.example.com", client_id=work.client_id,
                                       today=TODAY)
    outcome = services.decision_outcome(db_session, decision)
    assert (outcome.kind, outcome.count) == (services.WHITELISTED_SITE, 0)


def test_the_last_decision_to_undo_is_the_persons_latest_not_undone(db_session, work):
    hits = [make_hit(db_session, work, "latest.example.com") for _ in range(3)]
    first = services.decide(db_session, HANDLER, [hits[0].id], NO_MATCH, selection="a", today=TODAY)
    second = services.decide(db_session, HANDLER, [hits[1].id], NO_MATCH, selection="b", today=TODAY)
    services.decide(db_session, Actor(None, "someone else"), [hits[2].id], NO_MATCH, selection="c", today=TODAY)
    assert services.last_decision(db_session, None, "handler").id == second.id
    services.undo(db_session, HANDLER, second.id)
    assert services.last_decision(db_session, None, "handler").id == first.id
    services.undo(db_session, HANDLER, first.id)
    assert services.last_decision(db_session, None, "nobody at all") is None


def test_the_last_decision_of_an_account_is_found_by_account_not_by_name(db_session, work, users):
    hit = make_hit(db_session, work, "account.example.com")
    other = make_hit(db_session, work, "account.example.com")
    mine = services.decide(db_session, Actor(users["handler"].id, "old-login"), [hit.id], NO_MATCH,
                           selection="hit", today=TODAY)
    services.decide(db_session, Actor(None, "handler"), [other.id], NO_MATCH, selection="hit", today=TODAY)
    assert services.last_decision(db_session, users["handler"].id, "handler").id == mine.id
    assert services.last_decision(db_session, users["handler2"].id, "old-login") is None


def test_a_whitelist_that_changed_no_hit_is_still_a_last_decision_to_undo(db_session, work):
    decision = services.whitelist_site(db_session, HANDLER, site="nohits-wl.example.com", client_id=work.client_id,
                                       today=TODAY)
    assert services.last_decision(db_session, None, "handler").id == decision.id


def test_who_made_a_decision(users):
    me, other = users["handler"].id, users["handler2"].id
    assert made_by(Actor(me, "renamed"), me, "handler")              # a renamed login stays the maker
    assert not made_by(Actor(other, "handler"), me, "handler")       # the same name on another account
    assert not made_by(Actor(me, "handler"), None, "handler")        # an account is not the system's command
    assert not made_by(Actor(None, "handler"), me, "handler")
    assert made_by(Actor(None, "nightly"), None, "nightly")          # the system's commands, by name
    assert not made_by(Actor(None, "nightly"), None, "weekly")


def test_only_the_maker_undoes_when_others_are_not_allowed(db_session, work, users):
    hit = make_hit(db_session, work, "others.example.com")
    hanna, tom = Actor(users["handler"].id, "handler"), Actor(users["handler2"].id, "handler2")
    decision = services.decide(db_session, hanna, [hit.id], NO_MATCH, selection="hit", today=TODAY)
    with pytest.raises(InvalidInput, match="^The decision on hit is handler's: ask them, or an admin, "
                                           "to undo it.$"):
        services.undo(db_session, tom, decision.id, others_allowed=False)
    assert statuses(db_session, [hit]) == [NO_MATCH]
    assert db_session.get(HitDecision, decision.id).undone_at is None
    services.undo(db_session, tom, decision.id)     # one allowed to undo others' (an admin)
    assert statuses(db_session, [hit]) == [NEW]


def test_the_maker_undoes_their_own_when_others_are_not_allowed(db_session, work, users):
    hit = make_hit(db_session, work, "own.example.com")
    hanna = Actor(users["handler"].id, "handler")
    decision = services.decide(db_session, hanna, [hit.id], NO_MATCH, selection="hit", today=TODAY)
    services.undo(db_session, Actor(users["handler"].id, "hanna-renamed"), decision.id, others_allowed=False)
    assert statuses(db_session, [hit]) == [NEW]


def test_undoing_a_decision_that_is_not_there(db_session):
    with pytest.raises(NotFound, match="^That triage decision does not exist \\(any more\\); nothing was undone. "
                                       "Reload the triage page: it shows your last decision.$"):
        services.undo(db_session, HANDLER, 987654321)


def test_undo_twice_is_refused(db_session, work):
    hit = make_hit(db_session, work, "twice-undo.example.com")
    decision = services.decide(db_session, HANDLER, [hit.id], NO_MATCH, selection="hit", today=TODAY)
    services.undo(db_session, HANDLER, decision.id)
    assert db_session.get(HitDecision, decision.id).undone_at is not None
    services.decide(db_session, HANDLER, [hit.id], LEGAL, selection="hit", today=TODAY)
    with pytest.raises(InvalidInput, match="^The decision on hit was undone already; nothing changed.$"):
        services.undo(db_session, HANDLER, decision.id)
    assert statuses(db_session, [hit]) == [LEGAL]


def test_undo_of_illegal_hits_in_a_draft_case_is_refused_naming_the_case(db_session, work):
    hit = make_hit(db_session, work, "refuse-undo.example.de")
    decision = services.decide(db_session, HANDLER, [hit.id], ILLEGAL, selection="hit", today=TODAY)
    case_id = db_session.get(Hit, hit.id).case_id
    ref = cases.refs_by_id(db_session, [case_id])[case_id]
    with pytest.raises(InvalidInput, match=f"^These hits are in draft case {ref}: close that case"):
        services.undo(db_session, HANDLER, decision.id)
    assert statuses(db_session, [hit]) == [ILLEGAL]
    assert db_session.get(HitDecision, decision.id).undone_at is None


def test_undo_puts_back_each_hit_and_raises_its_version_once(db_session, work):
    hits = [make_hit(db_session, work, "version.example.com") for _ in range(3)]
    decision = services.decide(db_session, HANDLER, [h.id for h in hits], NO_MATCH, selection="page", today=TODAY)
    versions = [db_session.get(Hit, h.id).version for h in hits]
    services.undo(db_session, HANDLER, decision.id)
    db_session.expire_all()
    assert [db_session.get(Hit, h.id).version for h in hits] == [v + 1 for v in versions]


def test_undo_takes_back_only_its_own_decisions_items(db_session, work):
    """The hit went new -> no match (an earlier decision) -> legal: undoing the legal one puts
    it back to no match, and counts one hit."""
    hit = make_hit(db_session, work, "own-items.example.com")
    services.decide(db_session, HANDLER, [hit.id], NO_MATCH, selection="first", today=TODAY)
    second = services.decide(db_session, HANDLER, [hit.id], LEGAL, selection="second", today=TODAY)
    services.undo(db_session, HANDLER, second.id)
    assert statuses(db_session, [hit]) == [NO_MATCH]
    assert last_event(db_session, "hits.undone").details["count"] == 1


def test_undo_counts_every_clearance_it_removes(db_session, work):
    hits = [make_hit(db_session, work, "two-clear-a.example.com"), make_hit(db_session, work, "two-clear-b.example.com")]
    decision = services.decide(db_session, HANDLER, [h.id for h in hits], LEGAL, selection="page", today=TODAY)
    services.undo(db_session, HANDLER, decision.id)
    assert rules_of(db_session, work.id) == []
    assert last_event(db_session, "hits.undone").details["rules_removed"] == 2


def test_the_audit_trail_says_what_an_undo_did(db_session, work):
    hits = [make_hit(db_session, work, "undo-audit.example.com") for _ in range(2)]
    decision = services.whitelist_site(db_session, HANDLER, site="undo-audit.example.com",
                                       client_id=work.client_id, today=TODAY)
    services.undo(db_session, Actor(None, "admin"), decision.id)
    event = last_event(db_session, "hits.undone")
    assert (event.subject_type, event.subject_id, event.from_state, event.actor_name) == \
        ("hit_decision", decision.id, WHITELISTED, "admin")
    assert event.details == {"selection": decision.selection, "count": 2, "rules_removed": 1}
    assert statuses(db_session, hits) == [NEW, NEW]


def test_undo_removes_a_clearance_no_other_licence_needs(db_session, work):
    first = make_hit(db_session, work, "clear-undo.example.com")
    second = make_hit(db_session, work, "clear-undo.example.com")
    decision = services.decide(db_session, HANDLER, [first.id, second.id], LEGAL, selection="page", today=TODAY)
    services.undo(db_session, HANDLER, decision.id)
    assert rules_of(db_session, work.id) == []
    assert last_event(db_session, "hits.undone").details["rules_removed"] == 1


def test_undo_keeps_a_clearance_only_for_a_legal_decided_hit_of_that_work_on_that_site(db_session, holder, work):
    """The clearance stays while another hit of the same work on the same site is legal by a
    decision in force; a legal hit elsewhere, of another work, or not legal, does not hold it."""
    same = make_hit(db_session, work, "scope.example.com")
    elsewhere = make_hit(db_session, work, "elsewhere.example.com")
    other_work = make_hit(db_session, make_work(db_session, holder), "scope.example.com")
    rejected = make_hit(db_session, work, "scope.example.com")
    undecided_legal = make_hit(db_session, work, "scope.example.com", status=LEGAL)   # no decision behind it
    services.decide(db_session, HANDLER, [elsewhere.id, other_work.id], LEGAL, selection="page", today=TODAY)
    services.decide(db_session, HANDLER, [rejected.id], NO_MATCH, selection="hit", today=TODAY)
    decision = services.decide(db_session, HANDLER, [same.id], LEGAL, selection="hit", today=TODAY)
    services.undo(db_session, HANDLER, decision.id)
    assert services.rule_for(db_session, holder.id, work.id, "scope.example.com") is None
    assert statuses(db_session, [undecided_legal]) == [LEGAL]
    assert services.rule_for(db_session, holder.id, work.id, "elsewhere.example.com").work_id == work.id


def test_a_decision_on_more_hits_than_one_query_takes_changes_and_undoes_each(db_session, holder, work):
    """5,001 hits: past the 5,000 a query takes at a time, none is left out or taken twice."""
    from datetime import datetime, timezone

    from sqlalchemy import func, insert

    from caseapp.hits.models import Sighting

    n, found = 5001, datetime(2026, 1, 5, tzinfo=timezone.utc)
    site = "thousands.example.com"
    db_session.execute(insert(Sighting), [
        {"key": services.sighting_key(f"https://{site}/{i}.jpg", f"https://{site}/{i}"),
         "image_url": f"https://{site}/{i}.jpg", "page_url": f"https://{site}/{i}", "site": site, "found_at": found,
         "image_sha256": work.file_sha256, "thumbnail_sha256": work.thumbnail_sha256,
         "created_at": found, "updated_at": found} for i in range(n)])
    sightings = db_session.scalars(select(Sighting.id).where(Sighting.site == site)).all()
    db_session.execute(insert(Hit), [
        {"sighting_id": s, "work_id": work.id, "client_id": holder.id, "site": site, "score": 0.8, "status": NEW,
         "version": 1, "created_at": found, "updated_at": found} for s in sightings])
    ids = services.select_hits(db_session, services.HitFilter(client_id=holder.id, site=site), TODAY)
    assert len(ids) == n

    def count(status):
        return db_session.scalar(select(func.count()).select_from(Hit).where(Hit.site == site, Hit.status == status))

    decision = services.decide(db_session, HANDLER, ids, NO_MATCH, selection="site", today=TODAY, expect_status=NEW)
    assert decision.count == n and count(NO_MATCH) == n
    assert len(services.decision_outcome(db_session, decision).hits) == 500   # the message names 500 at most
    assert db_session.scalar(select(func.count()).select_from(Hit).where(Hit.site == site, Hit.version == 2)) == n
    services.undo(db_session, HANDLER, decision.id)
    assert count(NEW) == n
    assert db_session.scalar(select(func.count()).select_from(Hit).where(Hit.site == site, Hit.version == 3)) == n
    legal = services.decide(db_session, HANDLER, ids, LEGAL, selection="site", today=TODAY)
    assert legal.count == n and count(LEGAL) == n


def test_undo_keeps_a_clearance_a_decided_licence_holds_even_beside_an_undecided_legal_hit(db_session, holder, work):
    undecided_legal = make_hit(db_session, work, "beside.example.com", status=LEGAL)   # made first, no decision
    first = make_hit(db_session, work, "beside.example.com")
    second = make_hit(db_session, work, "beside.example.com")
    a = services.decide(db_session, HANDLER, [first.id], LEGAL, selection="hit", today=TODAY)
    b = services.decide(db_session, HANDLER, [second.id], LEGAL, selection="hit", today=TODAY)
    services.undo(db_session, HANDLER, a.id)
    rule = services.rule_for(db_session, holder.id, work.id, "beside.example.com")
    assert rule is not None and rule.decision_id == b.id
    assert statuses(db_session, [undecided_legal, first, second]) == [LEGAL, NEW, LEGAL]


def test_undo_refused_names_every_draft_case_its_hits_are_in(db_session, work):
    hits = [make_hit(db_session, work, "two-cases-a.example.de"), make_hit(db_session, work, "two-cases-b.example.de")]
    decision = services.decide(db_session, HANDLER, [h.id for h in hits], ILLEGAL, selection="page", today=TODAY)
    refs = sorted(cases.refs_by_id(db_session, [db_session.get(Hit, h.id).case_id for h in hits]).values())
    assert len(refs) == 2
    with pytest.raises(InvalidInput) as refused:
        services.undo(db_session, HANDLER, decision.id)
    assert str(refused.value) == (f"These hits are in draft case {refs[0]}, {refs[1]}: close that case (reason: "
                                  "licence shown or withdrawn) instead of undoing.")


def test_each_hit_left_to_its_case_is_counted(db_session, work):
    in_cases = [make_hit(db_session, work, "left-count.example.de") for _ in range(2)]
    services.decide(db_session, HANDLER, [h.id for h in in_cases], ILLEGAL, selection="page", today=TODAY)
    free = make_hit(db_session, work, "left-count.example.de")
    again = services.decide(db_session, HANDLER, [h.id for h in in_cases] + [free.id], LEGAL, selection="page",
                            today=TODAY)
    assert (again.count, again.left_in_cases) == (1, 2)
    assert last_event(db_session, "hits.decided").details["left_in_cases"] == 2
    assert statuses(db_session, in_cases + [free]) == [ILLEGAL, ILLEGAL, LEGAL]
