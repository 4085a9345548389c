"""A small hand-built data set for the dashboards: one client's four cases in two currencies, with
their stage history, letters, payments and payouts placed on both sides of month edges.

The rows the figures read (letters sent, payments booked, confirmed payout batches, stage moves)
are written as they stand after their services ran, with the days the figures turn on set by hand:
the services stamp today's date, and the figures are about months."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import delete, select

from caseapp.cases import lifecycle
from caseapp.cases.models import Case
from caseapp.core.audit import AuditEvent
from caseapp.core.money import Money
from caseapp.ledger.models import COLLECTED, LedgerEntry
from caseapp.letters.models import Letter
from caseapp.payments.models import Payment, StatementImport
from caseapp.payouts.models import PayoutBatch, PayoutItem, PayoutLine
from tests.cases.factories import make_case
from tests.clients.factories import make_client
from tests.payouts.factories import collect

TODAY = date(2026, 11, 23)   # the window: 2025-12 .. 2026-11


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@dataclass
class DataSet:
    client_id: int
    a: Case   # DE, EUR 1,000.00: letter, two payments, two payouts; paid
    b: Case   # FR, EUR 500.00: letter, nothing paid; offer sent
    c: Case   # DE, GBP 800.00: letter, paid half; reminder sent
    d: Case   # DE, EUR 300.00: no letter (a draft only); closed as uncollectable


def _history(session, case: Case, *moves: tuple[str, str | None, str]) -> None:
    """Replace the case's stage history by `moves` (when, from, to)."""
    session.execute(delete(AuditEvent).where(AuditEvent.case_id == case.id))
    for when, before, after in moves:
        session.add(AuditEvent(occurred_at=at(when), actor_name="test", subject_type="case", subject_id=case.id,
                               case_id=case.id, action="case.opened" if before is None else "case.stage_changed",
                               from_state=before, to_state=after))


def _letter(session, case: Case, sent_on: date | None, *, recipient: str = "recipient") -> None:
    session.add(Letter(case_id=case.id, kind="offer", language="en", file_sha256="0" * 64, filename="offer.pdf",
                       recipient=recipient, status="sent" if sent_on else "draft", sent_on=sent_on,
                       sent_at=at(f"{sent_on.isoformat()}T10:00:00") if sent_on else None,
                       channel="post" if sent_on else None, created_by="test",
                       context={}))


def _payment(session, imported: StatementImport, case: Case, booked_on: date, amount: str, currency: str, *,
             claim: str, status: str = "matched") -> None:
    amount_minor, claim_minor = Money.parse(amount, currency).minor, Money.parse(claim, currency).minor
    session.add(Payment(import_id=imported.id, bank_reference=f"ref-{case.id}-{booked_on}-{amount}-{status}",
                        booked_on=booked_on, amount_minor=amount_minor, currency=currency, direction="credit",
                        status=status, case_id=case.id, claim_minor=claim_minor,
                        costs_minor=amount_minor - claim_minor))


def _payout(session, case: Case, confirmed_at: str, share: str) -> None:
    """A confirmed batch paying the client `share` of one collection on `case`."""
    collect(session, case, share)
    entry = session.scalars(select(LedgerEntry).where(LedgerEntry.case_id == case.id,
                                                      LedgerEntry.account == COLLECTED)
                            .order_by(LedgerEntry.id.desc()).limit(1)).one()
    minor = Money.parse(share, case.currency).minor
    batch = PayoutBatch(state="confirmed", until=TODAY, currency=case.currency, collected_minor=minor,
                        to_clients_minor=minor, drafted_by="test", confirmed_by="test", confirmed_at=at(confirmed_at))
    session.add(batch)
    session.flush()
    line = PayoutLine(batch_id=batch.id, client_id=case.client_id, client_name="Reports Client",
                      collected_minor=minor, client_share_minor=minor, commission_minor=0, vat_minor=0,
                      vat_code="none", vat_basis="test", method="manual")
    session.add(line)
    session.flush()
    session.add(PayoutItem(batch_id=batch.id, line_id=line.id, ledger_entry_id=entry.id, case_id=case.id,
                           case_ref=case.ref, booked_on=TODAY, in_court=False, share_bp=10000,
                           collected_minor=minor, client_share_minor=minor, commission_minor=0, vat_minor=0))


def build(session) -> DataSet:
    holder = make_client(session, "Reports Client")
    a = make_case(session, lifecycle.PAID, country="DE", holder=holder, claimed="1000.00")
    b = make_case(session, lifecycle.OFFER_SENT, country="FR", holder=holder, claimed="500.00")
    c = make_case(session, lifecycle.REMINDER_SENT, country="DE", holder=holder, claimed="800.00", currency="GBP")
    d = make_case(session, lifecycle.CLOSED, country="DE", holder=holder, claimed="300.00")
    d.closure_reason = "uncollectable"
    # When each case's hit was found: A the last half hour of September (UTC), B October's first moment.
    for case, found in ((a, "2026-09-30T23:30:00"), (b, "2026-10-01T00:00:00"), (c, "2026-10-15T08:00:00"),
                        (d, "2026-10-10T08:00:00")):
        case.items[0].found_at = at(found)
    _history(session, a, ("2026-09-30T23:30:00", None, "new"), ("2026-10-01T09:00:00", "new", "offer_sent"),
             ("2026-11-01T09:00:00", "offer_sent", "paid"))
    _history(session, b, ("2026-10-01T00:00:00", None, "new"), ("2026-10-31T23:59:59", "new", "offer_sent"))
    _history(session, c, ("2026-10-15T08:00:00", None, "new"), ("2026-11-01T09:00:00", "new", "offer_sent"),
             ("2026-11-20T09:00:00", "offer_sent", "reminder_sent"))
    _history(session, d, ("2026-10-10T08:00:00", None, "new"), ("2026-11-05T09:00:00", "new", "closed"))
    _letter(session, a, date(2026, 10, 1))
    _letter(session, a, date(2026, 10, 20))                       # a reminder: not the first letter
    _letter(session, b, date(2026, 10, 5), recipient="client")    # to the client: not a claim
    _letter(session, b, date(2026, 10, 31))
    _letter(session, c, date(2026, 11, 1))
    _letter(session, d, None)                                      # a draft, never sent
    imported = StatementImport(sha256="a" * 64, filename="statement.xml", format="camt.053.001.08",
                               imported_by="test")
    session.add(imported)
    session.flush()
    _payment(session, imported, a, date(2026, 10, 31), "300.00", "EUR", claim="300.00")
    _payment(session, imported, a, date(2026, 11, 1), "200.00", "EUR", claim="150.00")
    _payment(session, imported, a, date(2026, 10, 15), "999.00", "EUR", claim="999.00", status="returned")
    _payment(session, imported, c, date(2026, 11, 2), "400.00", "GBP", claim="400.00")
    _payout(session, a, "2026-11-10T12:00:00", "350.00")
    _payout(session, a, "2026-11-20T12:00:00", "100.00")
    session.flush()
    return DataSet(holder.id, a, b, c, d)
