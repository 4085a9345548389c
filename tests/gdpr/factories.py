"""A party's whole file for the personal-data tests: a case (items, a note, a licence defence), a
letter, a payment and a refund, an offer and a settlement with instalments, a ledger transaction,
and sightings with hits on the party's site. Cases are opened through the cases' service; the
rest is set up as each domain's rows (setup only), with the names a test looks for."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import update

from caseapp.cases import lifecycle, services as cases
from caseapp.cases.models import Case, LicenceDefence
from caseapp.core.audit import Actor
from caseapp.core.money import Money
from caseapp.hits.models import ILLEGAL
from caseapp.ledger import services as ledger
from caseapp.letters.models import Letter
from caseapp.payments.models import Payment, Refund, StatementImport
from caseapp.settlements import services as settlements
from caseapp.settlements.models import Instalment, Settlement
from tests.clients.factories import make_client, make_work
from tests.conftest import TODAY
from tests.hits.factories import make_hit
from tests.parties.factories import make_party

ACTOR = Actor.system("factory")
_serial = itertools.count(1)


def utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)


@dataclass
class File:
    party: object
    case: Case
    marker: str
    sighting_id: int
    payment_id: int
    letter_id: int


def party_file(session, *, closed_on: date | None = None, marker: str | None = None) -> File:
    """A party (its name, e-mail, street carry `marker`) and one case with everything on it; closed
    on `closed_on` (None: open, in negotiation)."""
    marker = marker or f"Marker{next(_serial)}"
    party = make_party(session, name=f"{marker} GmbH", email=f"{marker.lower()}@shop.example",
                       street=f"{marker}straße 5", site=f"{marker.lower()}.example")
    holder = make_client(session)
    work = make_work(session, holder)
    case = cases.open_case(session, ACTOR, client_id=holder.id, party_id=party.id,
                           items=[cases.ItemSpec(work_id=work.id, page_url=f"https://{party.site}/blog/{marker}")],
                           claimed=Money.parse("450.00", "EUR"), today=TODAY)
    cases.add_note(session, ACTOR, case, f"{marker} called and said the photo was bought")
    session.add(LicenceDefence(case_id=case.id, file_sha256="d" * 64, filename=f"{marker}-invoice.pdf",
                               statement=f"{marker} bought it", recorded_by="factory"))
    letter = Letter(case_id=case.id, kind="offer", language="de", file_sha256="e" * 64, filename=f"{marker}.pdf",
                    created_by="factory", context={"recipient": f"{marker} GmbH"})
    session.add(letter)
    imported = StatementImport(sha256=f"{next(_serial):064x}", filename=f"{marker}.csv", format="csv",
                               imported_by="factory")
    session.add(imported)
    session.flush()
    payment = Payment(import_id=imported.id, bank_reference=f"REF-{marker}", booked_on=TODAY, amount_minor=45000,
                      currency="EUR", direction="credit", payer_name=f"{marker} Payer",
                      payer_iban="DE89370400440532013000", remittance=f"{case.ref} {marker}", status="matched",
                      case_id=case.id)
    session.add(payment)
    money = Money(45000, "EUR")
    transaction = ledger.post(session, ACTOR, kind="payment_received", description=f"Received: {marker} Payer",
                              case_id=case.id, booked_on=TODAY,
                              lines=[ledger.debit("bank", money),
                                     ledger.credit("collected", money, case_id=case.id, client_id=holder.id)])
    session.add(Refund(case_id=case.id, amount_minor=100, currency="EUR", payee_name=f"{marker} Payer",
                       payee_iban="DE89370400440532013000", remittance=f"Refund {marker}", requested_by="factory",
                       transaction_id=transaction.id))
    settlements.make_offer(session, ACTOR, case, side="recipient", amount=Money.parse("300.00", "EUR"),
                           made_on=TODAY, note=f"{marker} offers 300")
    settlement = Settlement(case_id=case.id, amount_minor=40000, currency="EUR", covers=f"work 1, {marker}'s blog",
                            agreed_on=TODAY, stage_at_agreement=lifecycle.OFFER_SENT, recorded_by="factory")
    session.add(settlement)
    session.flush()
    session.add(Instalment(settlement_id=settlement.id, number=1, amount_minor=40000, due_on=TODAY))
    hit = make_hit(session, work, party.site, status=ILLEGAL, page_url=f"https://{party.site}/gallery/{marker}")
    hit.case_id = case.id
    session.flush()
    if closed_on is not None:
        close(session, case, closed_on)
    else:
        case.stage = lifecycle.OFFER_SENT
        session.flush()
    return File(party, case, marker, hit.sighting_id, payment.id, letter.id)


def close(session, case: Case, on: date) -> None:
    session.execute(update(Case).where(Case.id == case.id).values(
        stage=lifecycle.CLOSED, closure_reason="duplicate", next_due_on=None, closed_at=utc(on)))
    session.expire_all()


def sighting_seen(session, sighting_id: int, on: date) -> None:
    from caseapp.hits.models import Sighting

    session.execute(update(Sighting).where(Sighting.id == sighting_id).values(found_at=utc(on), last_seen_at=utc(on)))
    session.expire_all()
