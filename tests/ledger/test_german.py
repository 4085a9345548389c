"""The trial balance in German (issue 17): headings (Soll/Haben), the accounts' words and the
empty state; the account codes stay as they are. (refresh(): see tests/payments/test_german.py.)"""
from __future__ import annotations

from flask_babel import refresh

from caseapp.cases import lifecycle
from tests.cases.factories import make_case
from tests.payouts.factories import collect

DE = {"Accept-Language": "de"}


def test_the_trial_balance_in_german(client_as, db_session):
    accountant = client_as("accountant")
    english = accountant.get("/ledger/").get_data(as_text=True)
    assert "<h1>Trial balance</h1>" in english and "Debit</th>" in english
    collect(db_session, make_case(db_session, lifecycle.COLLECTION), "100.00")
    db_session.commit()
    refresh()
    page = accountant.get("/ledger/", headers=DE).get_data(as_text=True)
    assert "<h1>Summen- und Saldenliste</h1>" in page and "Jedes Konto des Hauptbuchs" in page
    assert "<th class=\"num\">Soll</th>" in page and "<th class=\"num\">Haben</th>" in page
    assert "das Bankkonto für Mandantengelder" in page and "Summe in EUR (muss null sein)" in page
    assert "\xa0€" in page and "Debit</th>" not in page and "the client-money bank account" not in page
    assert "<td>bank</td>" in page                       # the account's code is not translated
