"""What the settlements domain holds on a party (their offers and counter-offers, the settlement
agreed and its instalment plan) and what becomes of it (core.personal_data).

The amounts stay for the books; when the party's case file goes, the free text goes: an offer's
note and what a settlement covers (in words) are replaced. The client's consent (who at the
client agreed, how, when) is the client's, not the party's, and stays."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from caseapp.cases import personal_data as case_files
from caseapp.core.personal_data import ANONYMISE, CASE_FILE, ERASED, Expired, Retention, bulk, field, record
from caseapp.settlements.models import Settlement, SettlementOffer

PURGE_ORDER = 20
# The tables whose rows on a party this module answers for (tests/gdpr: none is left out).
TABLES = ("settlement_offer", "settlement", "settlement_instalment")


def export(session: Session, party_id: int) -> dict:
    ids = case_files.party_case_ids(session, party_id)
    if not ids:
        return {}
    offers = session.scalars(select(SettlementOffer).where(SettlementOffer.case_id.in_(ids))
                             .order_by(SettlementOffer.id)).all()
    found = {"settlement_offer": [record(o.id, {
        "side": field(o.side, f"recorded by {o.recorded_by}"),
        "amount": field(f"{o.amount.amount_text()} {o.currency}",
                        "the party's offer" if o.side == "recipient" else "the firm's offer"),
        "note": field(o.note, f"recorded by {o.recorded_by}"), "made_on": field(o.made_on, f"recorded by {o.recorded_by}"),
        "state": field(o.state, f"decided by {o.decided_by}" if o.decided_by else "open"),
    }, case_id=o.case_id) for o in offers]}
    settlements = session.scalars(select(Settlement).where(Settlement.case_id.in_(ids)).order_by(Settlement.id)).all()
    found["settlement"] = [record(s.id, {
        "amount": field(f"{s.amount.amount_text()} {s.currency}", f"agreed with the party, recorded by {s.recorded_by}"),
        "covers": field(s.covers, f"recorded by {s.recorded_by}"), "agreed_on": field(s.agreed_on, s.recorded_by),
        "state": field(s.state, "the firm"),
        "instalments": field([{"number": i.number, "amount": f"{i.amount.amount_text()} {s.currency}",
                               "due_on": i.due_on.isoformat()} for i in s.instalments],
                             "the instalment plan agreed with the party"),
    }, case_id=s.case_id) for s in settlements]
    return found


def expired(session: Session, now: datetime, retention: Retention) -> list[Expired]:
    files = case_files.closed_files(session, now, retention)
    found = []
    ids = sorted(files)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for oid, case_id in session.execute(select(SettlementOffer.id, SettlementOffer.case_id).where(
                SettlementOffer.case_id.in_(chunk), SettlementOffer.note.is_not(None))):
            found.append(Expired("settlement_offer", oid, ANONYMISE, CASE_FILE, files[case_id]))
        for sid, case_id in session.execute(select(Settlement.id, Settlement.case_id).where(
                Settlement.case_id.in_(chunk), Settlement.covers != ERASED)):
            found.append(Expired("settlement", sid, ANONYMISE, CASE_FILE, files[case_id]))
    return sorted(found, key=lambda e: (e.kind, e.id))


def purge(session: Session, actor, items: list[Expired]) -> list[str]:
    offers = [e.id for e in items if e.kind == "settlement_offer"]
    settlements = [e.id for e in items if e.kind == "settlement"]
    bulk(session, lambda chunk: update(SettlementOffer).where(SettlementOffer.id.in_(chunk))
         .values(note=None, version=SettlementOffer.version + 1), offers)
    bulk(session, lambda chunk: update(Settlement).where(Settlement.id.in_(chunk))
         .values(covers=ERASED, version=Settlement.version + 1), settlements)
    return []

