"""What the court domain holds on a party (the court cases against them: court, file number, filing,
decision, hearings and deadlines, enforcement steps) and what becomes of it (core.personal_data).

The court's record (court, file number, dates, amounts) stays with the lawyer's file and the books;
when the party's case file is past retention, the free text a lawyer wrote about them goes: the notes
of hearings and enforcement steps."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from caseapp.core.personal_data import ANONYMISE, CASE_FILE, Expired, Retention, bulk, field, record
from caseapp.court.models import HEARING, CourtCase, CourtDate, EnforcementStep

PURGE_ORDER = 20
# The tables whose rows on a party this module answers for (tests/gdpr: none is left out).
TABLES = ("court_case", "court_cost", "court_date", "court_enforcement_step")


def _cases():
    from caseapp.cases import personal_data as cases

    return cases


def export(session: Session, party_id: int) -> dict:
    ids = _cases().party_case_ids(session, party_id)
    if not ids:
        return {}
    found: dict[str, list] = {"court_case": [], "court_date": [], "court_enforcement_step": []}
    for cc in session.scalars(select(CourtCase).where(CourtCase.case_id.in_(ids)).order_by(CourtCase.id)):
        by = f"recorded by {cc.recorded_by}"
        found["court_case"].append(record(cc.id, {
            "court": field(cc.court_name, by), "file_number": field(cc.file_number, f"the court's, {by}"),
            "filed_on": field(cc.filed_on, by), "decided_on": field(cc.decided_on, f"the court's decision, {by}"),
            "outcome": field(cc.outcome, f"the court's decision, {by}"),
            "awarded": field(cc.awarded.amount_text() + " " + cc.currency if cc.awarded else None,
                             f"the court's decision, {by}"),
        }, case_id=cc.case_id))
        for d in cc.dates:
            found["court_date"].append(record(d.id, {
                "kind": field(d.kind, "the court"), "when": field(d.at or d.due_on, "the court"),
                "note": field(d.what, "the firm's lawyer")}, case_id=cc.case_id))
        for s in cc.steps:
            found["court_enforcement_step"].append(record(s.id, {
                "kind": field(s.kind, f"recorded by {s.recorded_by}"), "taken_on": field(s.taken_on, s.recorded_by),
                "note": field(s.note, f"written by {s.recorded_by}")}, case_id=cc.case_id))
    return {kind: rows for kind, rows in found.items() if rows}


def expired(session: Session, now: datetime, retention: Retention) -> list[Expired]:
    files = _cases().closed_files(session, now, retention)
    found = []
    ids = sorted(files)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for date_id, case_id in session.execute(
                select(CourtDate.id, CourtCase.case_id).join(CourtCase, CourtCase.id == CourtDate.court_case_id)
                .where(CourtCase.case_id.in_(chunk), CourtDate.kind == HEARING, CourtDate.what.is_not(None))):
            found.append(Expired("court_date", date_id, ANONYMISE, CASE_FILE, files[case_id]))
        for step_id, case_id in session.execute(
                select(EnforcementStep.id, CourtCase.case_id)
                .join(CourtCase, CourtCase.id == EnforcementStep.court_case_id)
                .where(CourtCase.case_id.in_(chunk), EnforcementStep.note.is_not(None))):
            found.append(Expired("court_enforcement_step", step_id, ANONYMISE, CASE_FILE, files[case_id]))
    return sorted(found, key=lambda e: (e.kind, e.id))


def purge(session: Session, actor, items: list[Expired]) -> list[str]:
    dates = [e.id for e in items if e.kind == "court_date"]
    steps = [e.id for e in items if e.kind == "court_enforcement_step"]
    bulk(session, lambda chunk: update(CourtDate).where(CourtDate.id.in_(chunk))
         .values(what=None, version=CourtDate.version + 1), dates)
    bulk(session, lambda chunk: update(EnforcementStep).where(EnforcementStep.id.in_(chunk)).values(note=None), steps)
    return []
