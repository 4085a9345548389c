"""The rules applied to hits: whitelisted sites (for one client or all) and cleared sites (a
licence shown for a work), checked at ingest, listed on their page, re-applied to the
backlog of undecided hits."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.cases import services as cases
from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import NotFound
from caseapp.hits.models import NEW, NO_MATCH, WHITELISTED, DomainRule, Hit, HitDecision
from caseapp.hits.queries import HitFilter, select_hits
from caseapp.hits.sites import normal_domain
from caseapp.hits.triage import decide
from caseapp.rightsholders import services as clients


def rule_for(session: Session, rights_holder_id: int, work_id: int, domain: str) -> DomainRule | None:
    """The rule that says no hit is made for this work on `domain` (or a parent domain): the
    client's or a global whitelist, or a clearance for this very work."""
    parts = domain.split(".")
    candidates = [".".join(parts[i:]) for i in range(len(parts) - 1)] or [domain]
    return session.scalars(
        select(DomainRule).where(DomainRule.domain.in_(candidates),
                                 (DomainRule.rights_holder_id == rights_holder_id)
                                 | DomainRule.rights_holder_id.is_(None),
                                 DomainRule.work_id.is_(None) | (DomainRule.work_id == work_id))
        .order_by(DomainRule.work_id.is_(None).desc(), DomainRule.rights_holder_id.is_(None))).first()


def ruled_out(session: Session, client_id: int, work_id: int, domain: str) -> str | None:
    """Why no hit is made for this work on `domain`, or None: a whitelist, a licence shown
    at triage, or a case closed because that site showed a licence."""
    rule = rule_for(session, client_id, work_id, domain)
    if rule is not None:
        return rule.describe
    ref = cases.licence_shown_on(session, work_id, domain)
    return f"cleared: {domain} showed a licence for work {work_id} in case {ref}" if ref else None


def whitelist_domain(session: Session, actor: Actor, *, domain: str, client_id: int | None, today: date,
                     note: str | None = None) -> HitDecision:
    """Whitelist a domain (for one client, or for all): no hits are made on it any more, and
    its undecided hits are whitelisted, in one decision that undo takes back with the rule."""
    domain = normal_domain(domain)
    scope = DomainRule.rights_holder_id.is_(None) if client_id is None else DomainRule.rights_holder_id == client_id
    rule = session.scalars(select(DomainRule).where(DomainRule.domain == domain, DomainRule.work_id.is_(None),
                                                    scope)).first()
    ids = select_hits(session, HitFilter(client_id=client_id, domain=domain, subdomains=True), today)
    who = "all clients" if client_id is None else clients.get_client(session, client_id).name
    decision = decide(session, actor, ids, WHITELISTED, selection=f"whitelist {domain} for {who}", today=today)
    if rule is None:
        session.add(DomainRule(rights_holder_id=client_id, domain=domain, note=note, created_by=actor.name,
                               decision_id=decision.id))
        session.flush()
    return decision


def rule_preview(session: Session, *, domain: str, client_id: int | None, today: date) -> int:
    """How many undecided hits a whitelist rule would change, before it is applied."""
    return len(select_hits(session, HitFilter(client_id=client_id, domain=normal_domain(domain), subdomains=True),
                           today))


def apply_rules(session: Session, actor: Actor, *, today: date, min_score: float,
                dry_run: bool = False) -> dict[str, int]:
    """The rules re-applied to the backlog of undecided hits: hits a whitelist or a cleared
    site rules out become whitelisted, hits under the minimum score no match; each as one
    decision (undoable). With dry_run, only the counts."""
    groups = session.execute(select(Hit.rights_holder_id, Hit.work_id, Hit.domain).where(Hit.status == NEW)
                             .distinct()).all()
    ruled: list[int] = []
    for client_id, work_id, domain in groups:
        if ruled_out(session, client_id, work_id, domain):
            ruled += session.scalars(select(Hit.id).where(Hit.status == NEW, Hit.work_id == work_id,
                                                          Hit.domain == domain)).all()
    ruled_set = set(ruled)
    low = [i for i in session.scalars(select(Hit.id).where(Hit.status == NEW, Hit.score < min_score))
           if i not in ruled_set]
    if not dry_run:
        if ruled:
            decide(session, actor, ruled, WHITELISTED, selection="rules re-applied: whitelists and cleared sites",
                   today=today, expect_status=NEW)
        if low:
            decide(session, actor, low, NO_MATCH, selection=f"rules re-applied: score under {min_score:.2f}",
                   today=today, expect_status=NEW)
    return {"whitelisted": len(ruled), "no_match": len(low)}


WHITELISTS, CLEARANCES = "whitelists", "clearances"


def list_rules(session: Session, *, kind: str | None = None, client_id: int | None = None,
               domain: str | None = None, before: int | None = None, limit: int = 100) -> tuple[list, int | None]:
    """Whitelists (no work) and cleared sites (a work), newest first, keyset-paged by id;
    with the work's title. Returns ((rule, work title) rows, next `before`)."""
    query = select(DomainRule)
    if kind == WHITELISTS:
        query = query.where(DomainRule.work_id.is_(None))
    elif kind == CLEARANCES:
        query = query.where(DomainRule.work_id.is_not(None))
    if client_id is not None:
        query = query.where(DomainRule.rights_holder_id == client_id)
    if domain:
        query = query.where(DomainRule.domain.contains(domain.strip().lower(), autoescape=True))
    if before is not None:
        query = query.where(DomainRule.id < before)
    rules = list(session.scalars(query.order_by(DomainRule.id.desc()).limit(limit + 1)))
    titles = clients.work_titles(session, {r.work_id for r in rules[:limit] if r.work_id})
    return [(r, titles.get(r.work_id)) for r in rules[:limit]], (rules[limit - 1].id if len(rules) > limit else None)


def remove_rule(session: Session, actor: Actor, rule_id: int) -> DomainRule:
    """Remove a whitelist or a clearance: hits are made on that site again from now on
    (hits it already ruled out keep their verdict)."""
    rule = session.get(DomainRule, rule_id)
    if rule is None:
        raise NotFound(f"There is no rule {rule_id}: it was removed already, or undone.")
    audit.record(session, actor, "hits.rule_removed", "domain_rule", rule.id,
                 details={"domain": rule.domain, "client": rule.rights_holder_id, "work": rule.work_id,
                          "note": rule.note})
    session.delete(rule)
    session.flush()
    return rule
