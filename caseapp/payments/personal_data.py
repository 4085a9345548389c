"""What the payments domain holds on a party (what they paid: payer name, IBAN, the remittance
text; refunds to them) and what becomes of it (core.personal_data).

Money records stay for the books: when the party's case file goes, a payment keeps its amount,
dates, bank reference and allocation, and loses the payer's name, IBAN and remittance text (a
refund its payee's). The bank statement as imported stays in the file store as the voucher for
the statutory period (§ 147 AO, § 257 HGB; docs/personal-data.md)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from caseapp.cases import personal_data as case_files
from caseapp.core.personal_data import ANONYMISE, CASE_FILE, ERASED, Expired, Retention, bulk, field, record
from caseapp.payments.models import Payment, Refund, StatementImport

PURGE_ORDER = 20
# The tables whose rows on a party this module answers for (tests/gdpr: none is left out).
TABLES = ("payment", "payment_refund")


def _money(minor: int, currency: str) -> str:
    from caseapp.core.money import Money

    return f"{Money(minor, currency).amount_text()} {currency}"


def export(session: Session, party_id: int) -> dict:
    ids = case_files.party_case_ids(session, party_id)
    if not ids:
        return {}
    rows = session.execute(select(Payment, StatementImport).join(StatementImport, StatementImport.id == Payment.import_id)
                           .where(Payment.case_id.in_(ids)).order_by(Payment.id)).all()
    found = {"payment": []}
    for p, imported in rows:
        bank = (f"the bank statement {imported.filename} ({imported.format}) imported by {imported.imported_by} "
                f"on {imported.imported_at:%Y-%m-%d}")
        found["payment"].append(record(p.id, {
            "booked_on": field(p.booked_on, bank), "amount": field(_money(p.amount_minor, p.currency), bank),
            "direction": field(p.direction, bank), "payer_name": field(p.payer_name, bank),
            "payer_iban": field(p.payer_iban, bank), "remittance": field(p.remittance, bank),
            "status": field(p.status, f"matched to the case by {p.matched_by}" if p.matched_by else "the firm"),
        }, case_id=p.case_id))
    refunds = session.scalars(select(Refund).where(Refund.case_id.in_(ids)).order_by(Refund.id)).all()
    found["refund"] = [record(r.id, {
        "amount": field(_money(r.amount_minor, r.currency), f"overpaid, refunded as {r.requested_by} asked"),
        "payee_name": field(r.payee_name, "the payment refunded (its payer)"),
        "payee_iban": field(r.payee_iban, "the payment refunded (its payer's account)"),
        "remittance": field(r.remittance, "the firm"), "state": field(r.state, "the firm"),
    }, case_id=r.case_id) for r in refunds]
    return found


def _named(column_a, column_b, column_c):
    return or_(column_a.is_distinct_from(ERASED), column_b.is_not(None), column_c.is_not(None))


def expired(session: Session, now: datetime, retention: Retention) -> list[Expired]:
    files = case_files.closed_files(session, now, retention)
    found = []
    ids = sorted(files)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for pid, case_id in session.execute(select(Payment.id, Payment.case_id).where(
                Payment.case_id.in_(chunk), _named(Payment.payer_name, Payment.payer_iban, Payment.remittance))):
            found.append(Expired("payment", pid, ANONYMISE, CASE_FILE, files[case_id]))
        for rid, case_id in session.execute(select(Refund.id, Refund.case_id).where(
                Refund.case_id.in_(chunk), or_(Refund.payee_name.is_distinct_from(ERASED), Refund.payee_iban.is_not(None),
                                               Refund.remittance != ERASED))):
            found.append(Expired("refund", rid, ANONYMISE, CASE_FILE, files[case_id]))
    return sorted(found, key=lambda e: (e.kind, e.id))


def purge(session: Session, actor, items: list[Expired]) -> list[str]:
    payments = [e.id for e in items if e.kind == "payment"]
    refunds = [e.id for e in items if e.kind == "refund"]
    bulk(session, lambda chunk: update(Payment).where(Payment.id.in_(chunk))
         .values(payer_name=ERASED, payer_iban=None, remittance=None, version=Payment.version + 1), payments)
    bulk(session, lambda chunk: update(Refund).where(Refund.id.in_(chunk))
         .values(payee_name=ERASED, payee_iban=None, remittance=ERASED), refunds)
    return []
