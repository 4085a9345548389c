"""The rules applied to hits: whitelisted sites (for one client or all) and cleared sites (a
licence shown for a work), checked at ingest, listed on their page, re-applied to the
backlog of undecided hits."""
from __future__ import annotations

from dataclasses import dataclass

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.cases import services as cases
from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.hits.models import NEW, NO_MATCH, WHITELISTED, SiteRule, Hit, HitDecision
from caseapp.hits.queries import HitFilter, select_hits
from caseapp.hits.sites import normal_site
from caseapp.hits.triage import decide, made_by
from caseapp.clients import services as clients


def rule_for(session: Session, client_id: int, work_id: int, site: str) -> SiteRule | None:
    """The rule that says no hit is made for this work on `site` (or a parent site): the
    client's or a global whitelist, or a clearance for this very work."""
    parts = site.split(".")
    candidates = [".".join(parts[i:]) for i in range(len(parts) - 1)] or [site]
    return session.scalars(
        select(SiteRule).where(SiteRule.site.in_(candidates),
                                 (SiteRule.client_id == client_id)
                                 | SiteRule.client_id.is_(None),
                                 SiteRule.work_id.is_(None) | (SiteRule.work_id == work_id))
        .order_by(SiteRule.work_id.is_(None).desc(), SiteRule.client_id.is_(None))).first()


BY_WHITELIST, BY_CLEARANCE, BY_CLOSED_CASE = "whitelisted", "cleared", "licence_shown"


@dataclass(frozen=True)
class RuledOut:
    """Why no hit is made for a work on a site: `rule` is BY_WHITELIST (the site, or a parent
    of it, is whitelisted: `site`), BY_CLEARANCE (the site showed a licence for the work at
    triage) or BY_CLOSED_CASE (a case, `case`, was closed because the site showed one)."""
    rule: str
    site: str
    work_id: int
    case: str | None = None

    def as_data(self) -> dict:
        """For the ingest report (JSON): the facts; the command and the page word them."""
        return {"work": self.work_id, "rule": self.rule, "site": self.site,
                **({"case": self.case} if self.case else {})}


def ruled_out(session: Session, client_id: int, work_id: int, site: str) -> RuledOut | None:
    """Why no hit is made for this work on `site`, or None: a whitelist, a licence shown
    at triage, or a case closed because that site showed a licence."""
    rule = rule_for(session, client_id, work_id, site)
    if rule is not None:
        return RuledOut(BY_CLEARANCE if rule.work_id is not None else BY_WHITELIST, rule.site, work_id)
    ref = cases.licence_shown_on(session, work_id, site)
    return RuledOut(BY_CLOSED_CASE, site, work_id, ref) if ref else None


def whitelist_site(session: Session, actor: Actor, *, site: str, client_id: int | None, today: date,
                     note: str | None = None) -> HitDecision:
    """Whitelist a site (for one client, or for all): no hits are made on it any more, and
    its undecided hits are whitelisted, in one decision that undo takes back with the rule."""
    site = normal_site(site)
    scope = SiteRule.client_id.is_(None) if client_id is None else SiteRule.client_id == client_id
    rule = session.scalars(select(SiteRule).where(SiteRule.site == site, SiteRule.work_id.is_(None),
                                                    scope)).first()
    ids = select_hits(session, HitFilter(client_id=client_id, site=site, subdomains=True), today)
    who = "all clients" if client_id is None else clients.get_client(session, client_id).name
    decision = decide(session, actor, ids, WHITELISTED, selection=f"whitelist {site} for {who}", today=today)
    if rule is None:
        session.add(SiteRule(client_id=client_id, site=site, note=note, created_by=actor.name,
                               decision_id=decision.id))
        session.flush()
    return decision


def clear_site(session: Session, actor: Actor, *, client_id: int, work_id: int, site: str,
               note: str) -> SiteRule:
    """A recipient showed a licence for the work (a case's licence defence accepted): no hit
    is made for that work on `site` any more. Audited; an existing clearance is kept."""
    site = normal_site(site)
    rule = session.scalars(select(SiteRule).where(SiteRule.site == site, SiteRule.work_id == work_id,
                                                  SiteRule.client_id == client_id)).first()
    if rule is None:
        rule = SiteRule(client_id=client_id, site=site, work_id=work_id, note=note, created_by=actor.name)
        session.add(rule)
        session.flush()
        audit.record(session, actor, "hits.site_cleared", "site_rule", rule.id,
                     details={"site": site, "client": client_id, "work": work_id, "note": note})
    return rule


def rule_preview(session: Session, *, site: str, client_id: int | None, today: date) -> int:
    """How many undecided hits a whitelist rule would change, before it is applied."""
    return len(select_hits(session, HitFilter(client_id=client_id, site=normal_site(site), subdomains=True),
                           today))


def apply_rules(session: Session, actor: Actor, *, today: date, min_score: float,
                dry_run: bool = False) -> dict[str, int]:
    """The rules re-applied to the backlog of undecided hits: hits a whitelist or a cleared
    site rules out become whitelisted, hits under the minimum score no match; each as one
    decision (undoable). With dry_run, only the counts."""
    groups = session.execute(select(Hit.client_id, Hit.work_id, Hit.site).where(Hit.status == NEW)
                             .distinct()).all()
    ruled: list[int] = []
    for client_id, work_id, site in groups:
        if ruled_out(session, client_id, work_id, site):
            ruled += session.scalars(select(Hit.id).where(Hit.status == NEW, Hit.work_id == work_id,
                                                          Hit.site == site)).all()
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
               site: str | None = None, before: int | None = None, limit: int = 100) -> tuple[list, int | None]:
    """Whitelists (no work) and cleared sites (a work), newest first, keyset-paged by id;
    with the work's title. Returns ((rule, work title) rows, next `before`)."""
    query = select(SiteRule)
    if kind == WHITELISTS:
        query = query.where(SiteRule.work_id.is_(None))
    elif kind == CLEARANCES:
        query = query.where(SiteRule.work_id.is_not(None))
    if client_id is not None:
        query = query.where(SiteRule.client_id == client_id)
    if site:
        query = query.where(SiteRule.site.contains(site.strip().lower(), autoescape=True))
    if before is not None:
        query = query.where(SiteRule.id < before)
    rules = list(session.scalars(query.order_by(SiteRule.id.desc()).limit(limit + 1)))
    titles = clients.work_titles(session, {r.work_id for r in rules[:limit] if r.work_id})
    return [(r, titles.get(r.work_id)) for r in rules[:limit]], (rules[limit - 1].id if len(rules) > limit else None)


def rule_made_by(session: Session, actor: Actor, rule: SiteRule) -> bool:
    """Whether `actor` made the rule: through the triage decision that made it, else by name."""
    decision = session.get(HitDecision, rule.decision_id) if rule.decision_id is not None else None
    if decision is not None:
        return made_by(actor, decision.user_id, decision.user_name)
    return rule.created_by == actor.name


def remove_rule(session: Session, actor: Actor, rule_id: int, *, others_allowed: bool = True) -> SiteRule:
    """Remove a whitelist or a clearance: hits are made on that site again from now on
    (hits it already ruled out keep their verdict). Without `others_allowed`, only the person
    who made the rule may remove it (as with undoing a decision)."""
    rule = session.get(SiteRule, rule_id)
    if rule is None:
        raise NotFound("That rule is not there any more: it was removed already, or undone. Reload the page.")
    if not others_allowed and not rule_made_by(session, actor, rule):
        raise InvalidInput(f"The rule for {rule.site} is {rule.created_by}'s: ask them, or an admin, to remove it.")
    audit.record(session, actor, "hits.rule_removed", "site_rule", rule.id,
                 details={"site": rule.site, "client": rule.client_id, "work": rule.work_id,
                          "note": rule.note})
    session.delete(rule)
    session.flush()
    return rule
