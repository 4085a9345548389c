"""What the dashboards (caseapp.reports) read of cases: selections, not rows. Each function
returns a SQLAlchemy `Select` that the reports domain composes into one GROUP BY query, so
figures are aggregated in the database however many cases there are."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select

from caseapp.cases.models import Case, CaseItem
from caseapp.core.audit import AuditEvent

# The audit events that move a case between stages (case.opened enters its first stage).
STAGE_EVENTS = ("case.opened", "case.stage_changed", "case.reopened")


def cases(*, country: str | None = None, client_id: int | None = None) -> Select:
    """One row per case: its id, client, jurisdiction, currency, claim, stage and closure."""
    query = select(Case.id.label("case_id"), Case.client_id.label("client_id"), Case.country.label("country"),
                   Case.currency.label("currency"), Case.claimed_minor.label("claimed_minor"),
                   Case.stage.label("stage"), Case.closure_reason.label("closure_reason"),
                   Case.closed_at.label("closed_at"))
    if country:
        query = query.where(Case.country == country)
    if client_id:
        query = query.where(Case.client_id == client_id)
    return query


def first_found() -> Select:
    """When each case's first hit was found: the earliest sighting among its items."""
    return (select(CaseItem.case_id.label("case_id"), func.min(CaseItem.found_at).label("found_at"))
            .where(CaseItem.found_at.is_not(None)).group_by(CaseItem.case_id))


def stage_moves(since: datetime) -> Select:
    """Each move of a case between stages from `since` on: case id, when, from, to (the audit
    trail is the case's stage history; `from_state` is empty when the case was opened)."""
    return (select(AuditEvent.case_id.label("case_id"), AuditEvent.occurred_at.label("occurred_at"),
                   AuditEvent.from_state.label("from_state"), AuditEvent.to_state.label("to_state"))
            .where(AuditEvent.action.in_(STAGE_EVENTS), AuditEvent.occurred_at >= since,
                   AuditEvent.case_id.is_not(None)))


def known_countries() -> Select:
    """The jurisdictions cases are in, for the dashboards' filter."""
    return select(Case.country).distinct().order_by(Case.country)
