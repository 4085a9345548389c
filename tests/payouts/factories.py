"""Collections for payout tests: posted to the ledger as the payments domain posts them (debit
BANK, credit COLLECTED per case and client)."""
from __future__ import annotations

from datetime import date

from caseapp.core.audit import Actor
from caseapp.core.money import Money
from caseapp.ledger import services as ledger
from caseapp.ledger.models import BANK, COLLECTED

PAYMENTS = Actor.system("payments")
DAY = date(2026, 10, 20)


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


def collect(session, case, amount: str | Money, *, day: date = DAY, client_id: int | None = None):
    """A payment on `case` matched and booked: one collection. `client_id` plants a wrong client."""
    money = amount if isinstance(amount, Money) else eur(amount)
    return ledger.post(session, PAYMENTS, kind="payment_received", description=f"{case.ref} paid", booked_on=day,
                       case_id=case.id, lines=[ledger.debit(BANK, money),
                                               ledger.credit(COLLECTED, money, case_id=case.id,
                                                             client_id=client_id or case.client_id)])


def give_account(session, holder, iban: str = "DE89370400440532013000", name: str | None = None):
    from caseapp.clients import banking

    account = banking.request_account(session, Actor(None, "asker"), holder.id, name or holder.name, iban)
    return banking.confirm_account(session, Actor(None, "confirmer"), account.id, None)
