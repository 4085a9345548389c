"""What the ledger holds on a party: the descriptions of the transactions on their cases (a
payment's description names its payer). The ledger is a book: posted entries never change while
the books must be kept (§ 146(4), § 147 AO; § 239(3), § 257 HGB). Once a transaction is past the
accounting period and its case file is gone, its description is replaced; amounts stay, so the
trial balance is the same (core.personal_data)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from caseapp.cases import personal_data as case_files
from caseapp.core.personal_data import (ACCOUNTING, ANONYMISE, ERASED, Expired, Retention, bulk, field, record,
                                        today_of)
from caseapp.ledger.models import LedgerTransaction

PURGE_ORDER = 20
# The tables whose rows on a party this module answers for (tests/gdpr: none is left out).
TABLES = ("ledger_transaction", "ledger_entry")


def export(session: Session, party_id: int) -> dict:
    ids = case_files.party_case_ids(session, party_id)
    if not ids:
        return {}
    rows = session.scalars(select(LedgerTransaction).where(LedgerTransaction.case_id.in_(ids))
                           .order_by(LedgerTransaction.id)).all()
    return {"ledger_transaction": [record(t.id, {
        "kind": field(t.kind, f"posted by {t.posted_by}"),
        "description": field(t.description, f"posted by {t.posted_by} from {t.source or 'the case'}"),
        "booked_on": field(t.booked_on, f"posted by {t.posted_by}"),
    }, case_id=t.case_id) for t in rows]}


def expired(session: Session, now: datetime, retention: Retention) -> list[Expired]:
    files = case_files.closed_files(session, now, retention)
    latest = retention.latest_event(ACCOUNTING, today_of(now))
    found = []
    ids = sorted(files)
    for start in range(0, len(ids), 500):
        rows = session.execute(select(LedgerTransaction.id, LedgerTransaction.case_id).where(
            LedgerTransaction.case_id.in_(ids[start:start + 500]), LedgerTransaction.booked_on <= latest,
            LedgerTransaction.description != ERASED))
        found.extend(Expired("ledger_transaction", tid, ANONYMISE, ACCOUNTING, files[case_id]) for tid, case_id in rows)
    return sorted(found, key=lambda e: e.id)


def purge(session: Session, actor, items: list[Expired]) -> list[str]:
    ids = [e.id for e in items if e.kind == "ledger_transaction"]
    bulk(session, lambda chunk: update(LedgerTransaction).where(LedgerTransaction.id.in_(chunk))
         .values(description=ERASED), ids)
    return []
