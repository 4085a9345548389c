"""Triage decisions: one decision on one hit or thousands, each hit's previous status kept,
legal hits clearing their site for their work, illegal ones becoming draft cases; undo."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from caseapp.cases import services as cases
from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.models import utcnow
from caseapp.hits.drafts import draft_cases
from caseapp.hits.models import (ILLEGAL, LEGAL, NEW, STATUSES, SiteRule, Hit,
                                 HitDecision, HitDecisionItem)


def decide(session: Session, actor: Actor, hit_ids: Iterable[int], status: str, *, selection: str,
           today: date, expect_status: str | None = None) -> HitDecision:
    """One decision on any number of hits, in the caller's transaction: every hit's previous
    status is kept for undo; legal hits clear their site for their work (a licence was shown);
    illegal hits become draft cases. With `expect_status`, hits that someone else moved out
    of that status meanwhile are left alone (decision.count says how many changed)."""
    if status not in STATUSES or status == NEW:
        raise InvalidInput(f"Verdict: '{status}' is not a decision; choose legal (licensed), illegal, whitelisted "
                           "or no match.")
    ids = sorted(set(hit_ids))
    rows, in_cases = [], 0
    for start in range(0, len(ids), 5000):
        query = select(Hit.id, Hit.status, Hit.case_id, Hit.client_id, Hit.work_id, Hit.site).where(
            Hit.id.in_(ids[start:start + 5000]), Hit.status != status)
        if expect_status is not None:
            query = query.where(Hit.status == expect_status)
        for row in session.execute(query).all():
            if row.case_id is not None:   # the case decides now: close it (e.g. licence shown) instead
                in_cases += 1
            else:
                rows.append(row)
    decision = HitDecision(status=status, selection=selection[:300], count=len(rows), user_id=actor.user_id,
                           user_name=actor.name, made_at=utcnow())
    session.add(decision)
    session.flush()
    if rows:
        session.execute(insert(HitDecisionItem), [
            {"decision_id": decision.id, "hit_id": r.id, "from_status": r.status, "from_case_id": r.case_id}
            for r in rows])
        changed = [r.id for r in rows]
        for start in range(0, len(changed), 5000):
            session.execute(update(Hit).where(Hit.id.in_(changed[start:start + 5000]))
                            .values(status=status, decision_id=decision.id, decided_at=decision.made_at,
                                    decided_by=actor.name, version=Hit.version + 1)
                            .execution_options(synchronize_session=False))
    session.expire_all()   # the bulk UPDATE went past the identity map
    cleared = _clear_sites(session, actor, decision, {(r.client_id, r.work_id, r.site) for r in rows}) \
        if status == LEGAL else 0
    drafted = draft_cases(session, actor, [r.id for r in rows], today) if status == ILLEGAL and rows else []
    audit.record(session, actor, "hits.decided", "hit_decision", decision.id, to_state=status,
                 details={"selection": selection, "count": len(rows), "cases": drafted, "cleared": cleared,
                          "left_in_cases": in_cases})
    session.expire_all()
    decision.left_in_cases = in_cases   # for the message (not stored)
    return decision


def _clear_sites(session: Session, actor: Actor, decision: HitDecision, scopes: set[tuple[int, int, str]]) -> int:
    """A licence was shown: each (client, work, site) becomes a cleared recipient."""
    existing = set(session.execute(select(SiteRule.client_id, SiteRule.work_id, SiteRule.site)
                                   .where(SiteRule.work_id.in_({w for _, w, _ in scopes}))).all()) if scopes else set()
    new = sorted(scopes - existing)
    if new:
        now = utcnow()
        session.execute(insert(SiteRule), [
            {"client_id": c, "work_id": w, "site": d, "note": "licence shown at triage",
             "created_by": actor.name, "decision_id": decision.id, "created_at": now, "updated_at": now}
            for c, w, d in new])
    return len(new)



@dataclass(frozen=True)
class DecisionOutcome:
    """What a decision did, as facts for a page or command to word: `kind` is one of
    WHITELISTED_SITE (a whitelist rule, with its site and scope), LEFT_IN_CASES (nothing
    changed: the hits are in cases), NOTHING (nothing changed: decided already) or DECIDED."""

    kind: str
    decision_id: int
    status: str
    count: int
    left_in_cases: int
    selection: str
    hits: list[int]            # the hits it changed (at most `limit`)
    cases: list[str]           # refs of the draft cases its hits are in
    case_of: dict[int, str]    # hit id -> case ref


WHITELISTED_SITE, LEFT_IN_CASES, NOTHING, DECIDED = "whitelisted_site", "left_in_cases", "nothing", "decided"


def decision_outcome(session: Session, decision: HitDecision, limit: int = 500) -> DecisionOutcome:
    """What a decision did: how many hits, which draft cases, what it left alone."""
    changed = list(session.scalars(select(HitDecisionItem.hit_id).where(HitDecisionItem.decision_id == decision.id)
                                   .limit(limit)))
    in_cases = session.execute(select(Hit.id, Hit.case_id).where(Hit.decision_id == decision.id,
                                                                 Hit.case_id.is_not(None))).all()
    ref_of = cases.refs_by_id(session, {c for _, c in in_cases})
    left = getattr(decision, "left_in_cases", 0)
    if decision.selection.startswith("whitelist "):   # the rule counts even when no hit waited
        kind = WHITELISTED_SITE
    elif decision.count == 0:
        kind = LEFT_IN_CASES if left else NOTHING
    else:
        kind = DECIDED
    return DecisionOutcome(kind, decision.id, decision.status, decision.count, left, decision.selection, changed,
                           sorted(set(ref_of.values())), {hit: ref_of[case] for hit, case in in_cases[:limit]})


def last_decision(session: Session, user_id: int | None, name: str) -> HitDecision | None:
    """The person's latest decision that can still be undone."""
    who = HitDecision.user_id == user_id if user_id is not None else HitDecision.user_name == name
    made_rule = select(SiteRule.id).where(SiteRule.decision_id == HitDecision.id).exists()
    return session.scalars(select(HitDecision).where(who, HitDecision.undone_at.is_(None),
                                                     (HitDecision.count > 0) | made_rule)
                           .order_by(HitDecision.id.desc()).limit(1)).first()


def made_by(actor: Actor, user_id: int | None, user_name: str) -> bool:
    """Whether `actor` made what a person (`user_id`, `user_name`) made: by account when both
    have one (a renamed login stays the maker), else by name (the system's commands)."""
    if actor.user_id is not None and user_id is not None:
        return actor.user_id == user_id
    return actor.user_id is None and user_id is None and actor.name == user_name


def undo(session: Session, actor: Actor, decision_id: int, *, others_allowed: bool = True) -> HitDecision:
    """Put the hits of decision `decision_id` back as they were, unless a later decision
    changed them; the rules the decision made (a whitelist, cleared sites) go with it. Without
    `others_allowed`, only the person who made it may undo it. There is no "the last one":
    the caller names the decision (the triage page shows the person's last one)."""
    decision = session.get(HitDecision, decision_id)
    if decision is None:
        raise NotFound("That triage decision does not exist (any more); nothing was undone. Reload the triage "
                       "page: it shows your last decision.")
    if not others_allowed and not made_by(actor, decision.user_id, decision.user_name):
        raise InvalidInput(f"The decision on {decision.selection} is {decision.user_name}'s: ask them, or an "
                           "admin, to undo it.")
    if decision.undone_at is not None:
        raise InvalidInput(f"The decision on {decision.selection} was undone already; nothing changed.")
    items = session.execute(select(HitDecisionItem.hit_id, HitDecisionItem.from_status, Hit.case_id)
                            .join(Hit, Hit.id == HitDecisionItem.hit_id)
                            .where(HitDecisionItem.decision_id == decision_id,
                                   Hit.decision_id == decision_id)).all()
    in_cases = sorted({i.case_id for i in items if i.case_id is not None})
    if in_cases:
        refs = ", ".join(cases.case_refs(session, in_cases))
        raise InvalidInput(f"These hits are in draft case {refs}: close that case (reason: licence shown "
                           "or withdrawn) instead of undoing.")
    by_status: dict[str, list[int]] = {}
    for item in items:
        by_status.setdefault(item.from_status, []).append(item.hit_id)
    for status, ids in by_status.items():
        for start in range(0, len(ids), 5000):
            session.execute(update(Hit).where(Hit.id.in_(ids[start:start + 5000]))
                            .values(status=status, decision_id=None, decided_at=None, decided_by=None,
                                    version=Hit.version + 1)
                            .execution_options(synchronize_session=False))
    decision.undone_at = utcnow()
    session.flush()
    rules = 0
    for rule in session.scalars(select(SiteRule).where(SiteRule.decision_id == decision.id)).all():
        still = None
        if rule.work_id is not None:   # a cleared site: kept while another hit in force says licensed
            still = session.scalar(select(Hit.decision_id).where(
                Hit.status == LEGAL, Hit.work_id == rule.work_id, Hit.site == rule.site,
                Hit.client_id == rule.client_id, Hit.decision_id.is_not(None)).limit(1))
        if still is not None:
            rule.decision_id = still
        else:
            session.delete(rule)
            rules += 1
    audit.record(session, actor, "hits.undone", "hit_decision", decision.id, from_state=decision.status,
                 details={"selection": decision.selection, "count": len(items), "rules_removed": rules})
    session.flush()
    session.expire_all()
    decision.restored = {i.hit_id: i.from_status for i in items}   # for the page (not stored)
    return decision
