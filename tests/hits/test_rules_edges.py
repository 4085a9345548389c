"""The rules applied to hits at their edges: a whitelist covers its client (or every client)
and the site's subdomains, never another client nor a bare top-level domain; a clearance
covers its work only; the backlog's minimum score on both sides; the rules list; who may
remove a rule."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.hits import rules, services
from caseapp.hits.models import LEGAL, NEW, NO_MATCH, WHITELISTED, Hit, HitDecision, SiteRule
from caseapp.hits.rules import RuledOut
from tests.clients.factories import make_client, make_work
from tests.conftest import TODAY
from tests.hits.factories import make_hit, statuses

HANDLER = Actor(None, "handler")


@pytest.fixture()
def holder(db_session):
    return make_client(db_session, "Edge Holder")


@pytest.fixture()
def rival(db_session):
    """Another client with a work of its own."""
    return make_work(db_session, make_client(db_session, "Edge Rival"))


def add_rule(session, site: str, *, client_id: int | None, work_id: int | None = None) -> SiteRule:
    rule = SiteRule(client_id=client_id, site=site, work_id=work_id, created_by="test")
    session.add(rule)
    session.flush()
    return rule


def last_event(session, action: str) -> AuditEvent:
    return session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
                           ).first()


# -- which rule rules a hit out

def test_a_clients_whitelist_never_reaches_another_clients_hits(db_session, work, rival):
    add_rule(db_session, "shared.example.com", client_id=work.client_id)
    assert services.rule_for(db_session, work.client_id, work.id, "shared.example.com").client_id == work.client_id
    assert services.rule_for(db_session, rival.client_id, rival.id, "shared.example.com") is None
    assert services.ruled_out(db_session, rival.client_id, rival.id, "shared.example.com") is None


def test_a_whitelist_for_all_clients_covers_every_client(db_session, work, rival):
    add_rule(db_session, "everyone.example.com", client_id=None)
    for w in (work, rival):
        assert services.ruled_out(db_session, w.client_id, w.id, "everyone.example.com") == \
            RuledOut(services.BY_WHITELIST, "everyone.example.com", w.id)


def test_a_whitelist_covers_subdomains_but_not_the_parent_nor_the_top_level_domain(db_session, work):
    add_rule(db_session, "example.co", client_id=work.client_id)
    add_rule(db_session, "co", client_id=work.client_id)          # never a rule's site, yet never reached
    assert services.rule_for(db_session, work.client_id, work.id, "a.b.example.co").site == "example.co"
    assert services.rule_for(db_session, work.client_id, work.id, "b.example.co").site == "example.co"
    assert services.rule_for(db_session, work.client_id, work.id, "example.co").site == "example.co"
    assert services.rule_for(db_session, work.client_id, work.id, "other.co") is None
    add_rule(db_session, "deep.b.example.co", client_id=work.client_id)
    assert services.rule_for(db_session, work.client_id, work.id, "b.example.co").site == "example.co"


def test_a_site_without_a_dot_is_ruled_by_its_own_name_only(db_session, work):
    assert services.rule_for(db_session, work.client_id, work.id, "intranet") is None
    add_rule(db_session, "intranet", client_id=work.client_id)
    assert services.rule_for(db_session, work.client_id, work.id, "intranet").site == "intranet"


def test_a_clearance_covers_its_work_only(db_session, holder, work):
    second = make_work(db_session, holder)
    services.clear_site(db_session, HANDLER, client_id=holder.id, work_id=work.id, site="cleared.example.com",
                        note="licence")
    assert services.ruled_out(db_session, holder.id, work.id, "shop.cleared.example.com") == \
        RuledOut(services.BY_CLEARANCE, "cleared.example.com", work.id)
    assert services.ruled_out(db_session, holder.id, second.id, "cleared.example.com") is None


def test_a_whitelist_is_named_before_a_clearance_and_the_clients_before_the_global(db_session, holder, work):
    clearance = services.clear_site(db_session, HANDLER, client_id=holder.id, work_id=work.id,
                                    site="both.example.com", note="licence")
    assert services.rule_for(db_session, holder.id, work.id, "both.example.com").id == clearance.id
    everyone = add_rule(db_session, "both.example.com", client_id=None)
    assert services.rule_for(db_session, holder.id, work.id, "both.example.com").id == everyone.id
    own = add_rule(db_session, "both.example.com", client_id=holder.id)
    assert services.rule_for(db_session, holder.id, work.id, "both.example.com").id == own.id
    assert services.ruled_out(db_session, holder.id, work.id, "both.example.com").rule == services.BY_WHITELIST


def test_the_reasons_as_the_ingest_report_gives_them():
    assert RuledOut(services.BY_WHITELIST, "w.example.com", 7).as_data() == \
        {"work": 7, "rule": "whitelisted", "site": "w.example.com"}
    assert RuledOut(services.BY_CLOSED_CASE, "c.example.com", 8, "C-2026-000001").as_data() == \
        {"work": 8, "rule": "licence_shown", "site": "c.example.com", "case": "C-2026-000001"}


# -- whitelisting a site

def test_whitelisting_for_one_client_leaves_other_clients_hits_and_sites_alone(db_session, holder, work, rival):
    mine = [make_hit(db_session, work, "leak.example.com"), make_hit(db_session, work, "www.leak.example.com")]
    theirs = make_hit(db_session, rival, "leak.example.com")
    unrelated = make_hit(db_session, work, "notleak.example.com")
    decision = services.whitelist_site(db_session, Actor(None, "hanna"), site="https://www.Leak.example.com/x",
                                       client_id=holder.id, today=TODAY, note="own site")
    assert statuses(db_session, mine + [theirs, unrelated]) == [WHITELISTED, WHITELISTED, NEW, NEW]
    assert (decision.count, decision.status, decision.selection) == \
        (2, WHITELISTED, "whitelist leak.example.com for Edge Holder")
    rule = db_session.scalars(select(SiteRule).where(SiteRule.decision_id == decision.id)).one()
    assert (rule.client_id, rule.site, rule.work_id, rule.note, rule.created_by) == \
        (holder.id, "leak.example.com", None, "own site", "hanna")
    assert services.ruled_out(db_session, rival.client_id, rival.id, "leak.example.com") is None


def test_whitelisting_for_all_clients_takes_every_clients_hits(db_session, work, rival):
    hits = [make_hit(db_session, work, "all.example.net"), make_hit(db_session, rival, "all.example.net")]
    decision = services.whitelist_site(db_session, HANDLER, site="all.example.net", client_id=None, today=TODAY)
    assert statuses(db_session, hits) == [WHITELISTED, WHITELISTED]
    assert decision.selection == "whitelist all.example.net for all clients"
    assert db_session.scalars(select(SiteRule).where(SiteRule.site == "all.example.net")).one().client_id is None


def test_whitelisting_again_keeps_the_one_rule(db_session, holder, work):
    services.whitelist_site(db_session, HANDLER, site="again.example.com", client_id=holder.id, today=TODAY)
    later = make_hit(db_session, work, "again.example.com")
    services.whitelist_site(db_session, HANDLER, site="again.example.com", client_id=holder.id, today=TODAY)
    assert statuses(db_session, [later]) == [WHITELISTED]
    assert len(db_session.scalars(select(SiteRule).where(SiteRule.site == "again.example.com")).all()) == 1


def test_a_whitelist_for_one_client_does_not_stand_in_for_the_global_one(db_session, holder, work, rival):
    services.whitelist_site(db_session, HANDLER, site="scoped.example.com", client_id=holder.id, today=TODAY)
    services.whitelist_site(db_session, HANDLER, site="scoped.example.com", client_id=None, today=TODAY)
    scopes = db_session.scalars(select(SiteRule.client_id).where(SiteRule.site == "scoped.example.com")).all()
    assert sorted(scopes, key=str) == sorted([holder.id, None], key=str)
    assert services.ruled_out(db_session, rival.client_id, rival.id, "scoped.example.com") is not None


def test_a_clearance_on_the_site_does_not_stand_in_for_a_whitelist(db_session, holder, work):
    services.clear_site(db_session, HANDLER, client_id=holder.id, work_id=work.id, site="cl-wl.example.com",
                        note="licence")
    services.whitelist_site(db_session, HANDLER, site="cl-wl.example.com", client_id=holder.id, today=TODAY)
    assert db_session.scalars(select(SiteRule.work_id).where(SiteRule.site == "cl-wl.example.com")
                              .order_by(SiteRule.id)).all() == [work.id, None]


def test_a_typed_site_must_be_a_site(db_session, holder):
    with pytest.raises(InvalidInput, match="Give a site such as shop.example.com."):
        services.whitelist_site(db_session, HANDLER, site="localhost", client_id=holder.id, today=TODAY)


def test_the_preview_counts_the_clients_undecided_hits_on_the_site_and_its_subdomains(db_session, holder, work,
                                                                                        rival):
    make_hit(db_session, work, "preview.example.com")
    make_hit(db_session, work, "shop.preview.example.com")
    make_hit(db_session, work, "preview.example.com", status=NO_MATCH)
    make_hit(db_session, rival, "preview.example.com")
    assert services.rule_preview(db_session, site="WWW.preview.example.com", client_id=holder.id, today=TODAY) == 2
    assert services.rule_preview(db_session, site="preview.example.com", client_id=None, today=TODAY) == 3


# -- clearing a site (a licence shown in a case)

def test_clearing_a_site_is_audited_once(db_session, holder, work):
    rule = services.clear_site(db_session, Actor(None, "lea"), client_id=holder.id, work_id=work.id,
                               site="www.Cleared-Once.example.com", note="licence in case C-1")
    assert (rule.client_id, rule.work_id, rule.site, rule.note, rule.created_by) == \
        (holder.id, work.id, "cleared-once.example.com", "licence in case C-1", "lea")
    event = last_event(db_session, "hits.site_cleared")
    assert (event.subject_type, event.subject_id, event.actor_name) == ("site_rule", rule.id, "lea")
    assert event.details == {"site": "cleared-once.example.com", "client": holder.id, "work": work.id,
                             "note": "licence in case C-1"}
    again = services.clear_site(db_session, HANDLER, client_id=holder.id, work_id=work.id,
                                site="cleared-once.example.com", note="another")
    assert again.id == rule.id and again.note == "licence in case C-1"
    assert last_event(db_session, "hits.site_cleared").id == event.id


def test_a_clearance_of_the_same_work_on_another_site_is_a_clearance_of_its_own(db_session, holder, work):
    first = services.clear_site(db_session, HANDLER, client_id=holder.id, work_id=work.id,
                                site="first-clear.example.com", note="a")
    second = services.clear_site(db_session, HANDLER, client_id=holder.id, work_id=work.id,
                                 site="second-clear.example.com", note="b")
    assert second.id != first.id and (second.site, second.note) == ("second-clear.example.com", "b")
    assert services.ruled_out(db_session, holder.id, work.id, "second-clear.example.com").rule == \
        services.BY_CLEARANCE


def test_a_clearance_for_another_work_or_client_is_a_clearance_of_its_own(db_session, holder, work, rival):
    first = services.clear_site(db_session, HANDLER, client_id=holder.id, work_id=work.id,
                                site="own-clear.example.com", note="a")
    other_work = make_work(db_session, holder)
    second = services.clear_site(db_session, HANDLER, client_id=holder.id, work_id=other_work.id,
                                 site="own-clear.example.com", note="b")
    third = services.clear_site(db_session, HANDLER, client_id=rival.client_id, work_id=work.id,
                                site="own-clear.example.com", note="c")
    assert len({first.id, second.id, third.id}) == 3


# -- the rules re-applied to the backlog

def test_the_minimum_score_on_both_sides_of_its_edge(db_session, work):
    at = make_hit(db_session, work, "edge-score.example.com", score=0.6)
    under = make_hit(db_session, work, "edge-score.example.com", score=0.5999)
    assert services.apply_rules(db_session, HANDLER, today=TODAY, min_score=0.6, dry_run=True)["no_match"] >= 1
    services.apply_rules(db_session, HANDLER, today=TODAY, min_score=0.6)
    assert statuses(db_session, [at, under]) == [NEW, NO_MATCH]
    decision = db_session.get(HitDecision, db_session.get(Hit, under.id).decision_id)
    assert (decision.selection, decision.status) == ("rules re-applied: score under 0.60", NO_MATCH)


def test_a_dry_run_counts_and_changes_nothing(db_session, holder, work):
    ruled = make_hit(db_session, work, "dry.example.com")
    low = make_hit(db_session, work, "wet.example.com", score=0.1)
    add_rule(db_session, "dry.example.com", client_id=holder.id)
    counted = services.apply_rules(db_session, HANDLER, today=TODAY, min_score=0.2, dry_run=True)
    assert counted["whitelisted"] >= 1 and counted["no_match"] >= 1
    assert statuses(db_session, [ruled, low]) == [NEW, NEW]
    assert services.apply_rules(db_session, HANDLER, today=TODAY, min_score=0.2) == counted
    assert statuses(db_session, [ruled, low]) == [WHITELISTED, NO_MATCH]


def test_a_hit_both_ruled_out_and_under_the_score_is_whitelisted_once(db_session, holder, work, rival):
    both = make_hit(db_session, work, "both-rules.example.com", score=0.1)
    same_site_other_client = make_hit(db_session, rival, "both-rules.example.com", score=0.95)
    decided = make_hit(db_session, work, "both-rules.example.com", status=LEGAL)
    add_rule(db_session, "both-rules.example.com", client_id=holder.id)
    before = services.apply_rules(db_session, HANDLER, today=TODAY, min_score=0.2, dry_run=True)
    services.apply_rules(db_session, HANDLER, today=TODAY, min_score=0.2)
    assert statuses(db_session, [both, same_site_other_client, decided]) == [WHITELISTED, NEW, LEGAL]
    decision = db_session.get(HitDecision, db_session.get(Hit, both.id).decision_id)
    assert (decision.selection, decision.status) == ("rules re-applied: whitelists and cleared sites", WHITELISTED)
    after = services.apply_rules(db_session, HANDLER, today=TODAY, min_score=0.2, dry_run=True)
    assert before["whitelisted"] - after["whitelisted"] == 1 and before["no_match"] == after["no_match"]


def test_rules_re_applied_leave_a_hit_someone_decided_meanwhile(db_session, holder, work, monkeypatch):
    """The backlog's decisions take only hits still undecided (expect_status)."""
    hit = make_hit(db_session, work, "meanwhile.example.com", score=0.1)
    ruled = make_hit(db_session, work, "meanwhile-ruled.example.com")
    add_rule(db_session, "meanwhile-ruled.example.com", client_id=holder.id)
    seen = []
    real = rules.decide

    def spy(*args, **kwargs):
        seen.append(kwargs.get("expect_status"))
        return real(*args, **kwargs)

    monkeypatch.setattr(rules, "decide", spy)
    services.apply_rules(db_session, HANDLER, today=TODAY, min_score=0.2)
    assert seen == [NEW, NEW] and statuses(db_session, [hit, ruled]) == [NO_MATCH, WHITELISTED]


# -- the rules page's list

def test_the_list_by_kind_client_and_site_newest_first(db_session, holder, work, rival):
    wl = add_rule(db_session, "list-a.example.com", client_id=holder.id)
    cl = add_rule(db_session, "list-b.example.com", client_id=holder.id, work_id=work.id)
    theirs = add_rule(db_session, "list-c.example.com", client_id=rival.client_id)

    def ids(**kwargs):
        return [rule.id for rule, _ in services.list_rules(db_session, site="list-", **kwargs)[0]]

    assert ids() == [theirs.id, cl.id, wl.id]
    assert ids(kind=services.WHITELISTS) == [theirs.id, wl.id]
    assert ids(kind=services.CLEARANCES) == [cl.id]
    assert ids(client_id=holder.id) == [cl.id, wl.id]
    assert [r.id for r, _ in services.list_rules(db_session, site="  LIST-B.example ")[0]] == [cl.id]
    rows, _ = services.list_rules(db_session, site="list-b.example.com")
    assert rows == [(cl, work.title)]


def test_a_site_search_is_literal(db_session, holder):
    add_rule(db_session, "pct.example.com", client_id=holder.id)
    assert services.list_rules(db_session, site="p%t")[0] == []
    assert services.list_rules(db_session, site="p_t.example")[0] == []


def test_the_list_pages_by_id(db_session, holder):
    made = [add_rule(db_session, f"page{n}.paged.example.com", client_id=holder.id) for n in range(5)]
    rows, after = services.list_rules(db_session, site="paged.example", limit=2)
    assert [r.id for r, _ in rows] == [made[4].id, made[3].id] and after == made[3].id
    rows, after = services.list_rules(db_session, site="paged.example", before=after, limit=2)
    assert [r.id for r, _ in rows] == [made[2].id, made[1].id] and after == made[1].id
    rows, after = services.list_rules(db_session, site="paged.example", before=after, limit=2)
    assert [r.id for r, _ in rows] == [made[0].id] and after is None
    rows, after = services.list_rules(db_session, site="paged.example", before=made[2].id, limit=2)
    assert [r.id for r, _ in rows] == [made[1].id, made[0].id] and after is None


# -- who may remove a rule

def test_a_rule_made_by_a_decision_is_its_deciders(db_session, holder, work, users):
    hanna = Actor(users["handler"].id, "handler")
    services.whitelist_site(db_session, hanna, site="made.example.com", client_id=holder.id, today=TODAY)
    rule = db_session.scalars(select(SiteRule).where(SiteRule.site == "made.example.com")).one()
    assert services.rule_made_by(db_session, Actor(users["handler"].id, "renamed"), rule)
    assert not services.rule_made_by(db_session, Actor(users["handler2"].id, "handler"), rule)


def test_a_rule_without_a_decision_is_its_creators_by_name(db_session, holder, work):
    rule = services.clear_site(db_session, Actor(None, "lea"), client_id=holder.id, work_id=work.id,
                               site="byname.example.com", note="licence")
    assert services.rule_made_by(db_session, Actor(None, "lea"), rule)
    assert not services.rule_made_by(db_session, Actor(None, "tom"), rule)


def test_only_the_maker_removes_a_rule_when_others_are_not_allowed(db_session, holder, work, users):
    rule = services.clear_site(db_session, Actor(None, "lea"), client_id=holder.id, work_id=work.id,
                               site="remove.example.com", note="licence")
    with pytest.raises(InvalidInput, match="^The rule for remove.example.com is lea's: ask them, or an admin, "
                                           "to remove it.$"):
        services.remove_rule(db_session, Actor(None, "tom"), rule.id, others_allowed=False)
    assert db_session.get(SiteRule, rule.id) is not None
    removed = services.remove_rule(db_session, Actor(None, "lea"), rule.id, others_allowed=False)
    assert removed.site == "remove.example.com" and db_session.get(SiteRule, rule.id) is None
    event = last_event(db_session, "hits.rule_removed")
    assert (event.subject_type, event.subject_id, event.actor_name) == ("site_rule", rule.id, "lea")
    assert event.details == {"site": "remove.example.com", "client": holder.id, "work": work.id,
                             "note": "licence"}
    make_hit(db_session, work, "remove.example.com")
    assert services.ruled_out(db_session, holder.id, work.id, "remove.example.com") is None


def test_anyone_allowed_removes_anothers_rule(db_session, holder):
    rule = add_rule(db_session, "others-rule.example.com", client_id=holder.id)
    services.remove_rule(db_session, Actor(None, "admin"), rule.id)
    assert db_session.get(SiteRule, rule.id) is None


def test_removing_a_rule_that_is_gone(db_session):
    with pytest.raises(NotFound, match="^That rule is not there any more: it was removed already, or undone. "
                                       "Reload the page.$"):
        services.remove_rule(db_session, HANDLER, 987654321)


def test_a_site_search_ignores_case_beyond_ascii_too(db_session, holder):
    rule = add_rule(db_session, "müller-fotos.example.com", client_id=holder.id)
    assert [r.id for r, _ in services.list_rules(db_session, site="MÜLLER-Fotos")[0]] == [rule.id]


def test_the_list_shows_100_rules_unless_told(db_session, holder):
    from sqlalchemy import insert

    db_session.execute(insert(SiteRule), [{"client_id": holder.id, "site": f"r{n:03d}.hundred.example.com",
                                           "created_by": "test"} for n in range(101)])
    made = db_session.scalars(select(SiteRule.id).where(SiteRule.site.like("%.hundred.example.com"))
                              .order_by(SiteRule.id.desc())).all()
    rows, after = services.list_rules(db_session, site="hundred.example")
    assert [r.id for r, _ in rows] == made[:100] and after == made[99]


def test_every_ruled_out_site_of_the_backlog_is_whitelisted(db_session, holder, work):
    hits = [make_hit(db_session, work, "backlog-one.example.com"), make_hit(db_session, work, "backlog-two.example.com"),
            make_hit(db_session, work, "backlog-two.example.com")]
    add_rule(db_session, "backlog-one.example.com", client_id=holder.id)
    add_rule(db_session, "backlog-two.example.com", client_id=None)
    services.apply_rules(db_session, HANDLER, today=TODAY, min_score=0.1)
    assert statuses(db_session, hits) == [WHITELISTED] * 3


def test_a_rule_a_command_made_is_that_commands(db_session, holder):
    services.whitelist_site(db_session, Actor(None, "nightly"), site="command.example.com", client_id=holder.id,
                            today=TODAY)
    rule = db_session.scalars(select(SiteRule).where(SiteRule.site == "command.example.com")).one()
    assert rule.decision_id is not None
    assert services.rule_made_by(db_session, Actor(None, "nightly"), rule)
    assert not services.rule_made_by(db_session, Actor(None, "weekly"), rule)


def test_whitelisting_a_second_site_for_a_client_makes_its_own_rule(db_session, holder, work):
    services.whitelist_site(db_session, HANDLER, site="first-wl.example.com", client_id=holder.id, today=TODAY)
    hit = make_hit(db_session, work, "second-wl.example.com")
    services.whitelist_site(db_session, HANDLER, site="second-wl.example.com", client_id=holder.id, today=TODAY)
    assert services.ruled_out(db_session, holder.id, work.id, "second-wl.example.com") == \
        RuledOut(services.BY_WHITELIST, "second-wl.example.com", work.id)
    assert statuses(db_session, [hit]) == [WHITELISTED]


def test_a_case_closed_for_a_licence_rules_out_that_work_on_that_site(db_session, holder, work):
    from caseapp.cases import services as cases
    from caseapp.cases.models import Case

    hit = make_hit(db_session, work, "closed-licence.example.fr")
    services.decide(db_session, HANDLER, [hit.id], "illegal", selection="hit", today=TODAY)
    case = db_session.get(Case, db_session.get(Hit, hit.id).case_id)
    cases.change_stage(db_session, HANDLER, case, "closed", today=TODAY, reason="licence_shown")
    why = services.ruled_out(db_session, holder.id, work.id, "closed-licence.example.fr")
    assert why == RuledOut(services.BY_CLOSED_CASE, "closed-licence.example.fr", work.id, case.ref)
    assert why.as_data() == {"work": work.id, "rule": "licence_shown", "site": "closed-licence.example.fr",
                             "case": case.ref}
    assert services.ruled_out(db_session, holder.id, make_work(db_session, holder).id,
                              "closed-licence.example.fr") is None
