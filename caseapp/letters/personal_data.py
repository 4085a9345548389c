"""What the letters domain holds on a party (the letters the firm wrote to them, with the data
they were rendered from) and when it goes: with the case file (core.personal_data)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from caseapp.cases import personal_data as case_files
from caseapp.core.personal_data import CASE_FILE, DELETE, Expired, Retention, bulk, field, forget_audit_details, record
from caseapp.letters.models import Letter

PURGE_ORDER = 20
# The tables whose rows on a party this module answers for (tests/gdpr: none is left out).
TABLES = ("letter",)


def export(session: Session, party_id: int) -> dict:
    ids = case_files.party_case_ids(session, party_id)
    if not ids:
        return {}
    letters = session.scalars(select(Letter).where(Letter.case_id.in_(ids)).order_by(Letter.id)).all()
    made = "written by the firm ({by}) from the case and the party's details on file"
    return {"letter": [record(l.id, {
        "kind": field(l.kind, made.format(by=l.created_by)),
        "recipient": field(l.recipient, "the firm"),
        "language": field(l.language, l.language_note or "the party's language on file"),
        "status": field(l.status, "the firm"),
        "channel": field(l.channel, "the firm"),
        "sent_at": field(l.sent_at, "the firm"),
        "sent_to": field(l.sent_to, "the party's e-mail or postal address on file when it was sent"),
        "file": field(l.filename, f"rendered by the firm (stored as {l.file_sha256})"),
        "rendered_from": field(l.context, made.format(by=l.created_by)),
    }, case_id=l.case_id) for l in letters]}


def expired(session: Session, now: datetime, retention: Retention) -> list[Expired]:
    files = case_files.closed_files(session, now, retention)
    found = []
    ids = sorted(files)
    for start in range(0, len(ids), 500):
        rows = session.execute(select(Letter.id, Letter.case_id, Letter.file_sha256, Letter.preview_sha256)
                               .where(Letter.case_id.in_(ids[start:start + 500])))
        for letter_id, case_id, sha, preview in rows:
            found.append(Expired("letter", letter_id, DELETE, CASE_FILE, files[case_id],
                                 tuple(s for s in (sha, preview) if s)))
    return sorted(found, key=lambda e: e.id)


def purge(session: Session, actor, items: list[Expired]) -> list[str]:
    ids = [e.id for e in items if e.kind == "letter"]
    bulk(session, lambda chunk: delete(Letter).where(Letter.id.in_(chunk)), ids)
    forget_audit_details(session, "letter", ids)   # that a letter was issued and sent stays, not where to
    return [sha for e in items if e.kind == "letter" for sha in e.files]
