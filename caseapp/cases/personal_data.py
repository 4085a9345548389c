"""What the cases domain holds on a party, and when a case file goes (core.personal_data).

The case row itself stays when its file goes: it holds no personal data of its own (a reference,
amounts, a stage) once its party is anonymised, and payments, settlements and the ledger point at
it for the books. Its items (the pages of the party's sites), notes and licence defences go.

The other domains ask here which cases a party has and which case files are past retention
(`party_case_ids`, `closed_files`, `open_parties`): one rule, "a party with an open case keeps
everything", in one place."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from caseapp.cases.models import IS_OPEN, Case, CaseItem, CaseNote, LicenceDefence
from caseapp.core.personal_data import CASE_FILE, DELETE, Expired, Retention, bulk, field, record, today_of

PURGE_ORDER = 40
# The tables whose rows on a party this module answers for (tests/gdpr: none is left out).
TABLES = ("case", "case_item", "case_note", "licence_defence")


def party_case_ids(session: Session, party_id: int) -> list[int]:
    return list(session.scalars(select(Case.id).where(Case.party_id == party_id).order_by(Case.id)))


def parties_with_cases(session: Session) -> set[int]:
    """Every party a case (open or closed) names."""
    return set(session.scalars(select(Case.party_id).distinct()))


def open_parties(session: Session) -> set[int]:
    """The parties with an open case: nothing of theirs is purged."""
    return set(session.scalars(select(Case.party_id).where(IS_OPEN).distinct()))


def closed_files(session: Session, now: datetime, retention: Retention) -> dict[int, int]:
    """{case id: party id} of the closed cases whose file is past retention (counted from the
    end of the year the case closed) and whose party has no open case."""
    latest = retention.latest_event(CASE_FILE, today_of(now))
    protected = open_parties(session)
    rows = session.execute(select(Case.id, Case.party_id, Case.closed_at).where(~IS_OPEN, Case.closed_at.is_not(None)))
    return {case_id: party_id for case_id, party_id, closed_at in rows
            if party_id not in protected and closed_at.date() <= latest}


def export(session: Session, party_id: int) -> dict:
    cases = session.scalars(select(Case).where(Case.party_id == party_id).order_by(Case.id)).all()
    ids = [c.id for c in cases]
    refs = {c.id: c.ref for c in cases}
    opened = "opened by the firm from the hits found on the party's sites"
    found = {"case": [record(c.id, {
        "ref": field(c.ref, "the firm's case number"),
        "client": field(c.client.name, "our client, whose work was used"),
        "country": field(c.country, "the jurisdiction, from the party's country on file"),
        "stage": field(c.stage, opened), "closure_reason": field(c.closure_reason, "the handler who closed it"),
        "claimed": field(c.claimed.amount_text() + " " + c.currency, "priced by the firm (feasibility rules)"),
        "opened_at": field(c.created_at, opened), "closed_at": field(c.closed_at, "the handler who closed it"),
    }) for c in cases]}
    if not ids:
        return found
    items = session.scalars(select(CaseItem).where(CaseItem.case_id.in_(ids)).order_by(CaseItem.id)).all()
    found["case_item"] = [record(i.id, {
        "page_url": field(i.page_url, "the party's web page where the crawler or a handler saw the work"),
        "image_url": field(i.image_url, "the image file on the party's site"),
        "found_at": field(i.found_at, "when the crawler first saw it"),
        "last_seen_at": field(i.last_seen_at, "when the crawler last saw it"),
    }, case=refs[i.case_id]) for i in items]
    notes = session.scalars(select(CaseNote).where(CaseNote.case_id.in_(ids)).order_by(CaseNote.id)).all()
    found["case_note"] = [record(n.id, {
        "text": field(n.text, f"written by {n.author_name} on {n.created_at:%Y-%m-%d}"),
    }, case=refs[n.case_id]) for n in notes]
    defences = session.scalars(select(LicenceDefence).where(LicenceDefence.case_id.in_(ids))
                               .order_by(LicenceDefence.id)).all()
    found["licence_defence"] = [record(d.id, {
        "statement": field(d.statement, f"the party, recorded by {d.recorded_by}"),
        "file": field(d.filename, f"sent by the party (stored as {d.file_sha256})"),
        "status": field(d.status, f"decided by {d.decided_by}" if d.decided_by else "not decided yet"),
        "reason": field(d.reason, d.decided_by and f"written by {d.decided_by}"),
    }, case=refs[d.case_id]) for d in defences]
    return found


def expired(session: Session, now: datetime, retention: Retention) -> list[Expired]:
    files = closed_files(session, now, retention)
    if not files:
        return []
    found: list[Expired] = []
    ids = sorted(files)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for item_id, case_id in session.execute(select(CaseItem.id, CaseItem.case_id).where(CaseItem.case_id.in_(chunk))):
            found.append(Expired("case_item", item_id, DELETE, CASE_FILE, files[case_id]))
        for note_id, case_id in session.execute(select(CaseNote.id, CaseNote.case_id).where(CaseNote.case_id.in_(chunk))):
            found.append(Expired("case_note", note_id, DELETE, CASE_FILE, files[case_id]))
        for defence_id, case_id, sha in session.execute(select(LicenceDefence.id, LicenceDefence.case_id,
                                                               LicenceDefence.file_sha256)
                                                        .where(LicenceDefence.case_id.in_(chunk))):
            found.append(Expired("licence_defence", defence_id, DELETE, CASE_FILE, files[case_id], (sha,)))
    return sorted(found, key=lambda e: (e.kind, e.id))


MODELS = {"case_item": CaseItem, "case_note": CaseNote, "licence_defence": LicenceDefence}


def purge(session: Session, actor, items: list[Expired]) -> list[str]:
    files: list[str] = []
    for kind, model in MODELS.items():
        ids = [e.id for e in items if e.kind == kind]
        bulk(session, lambda chunk, model=model: delete(model).where(model.id.in_(chunk)), ids)
        files.extend(sha for e in items if e.kind == kind for sha in e.files)
    return files
