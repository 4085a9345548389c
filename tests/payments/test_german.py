"""The payments pages in German (issue 17): a page asked for in German (Accept-Language) says
its headings, buttons, results, flashes and refusals in German; the stored codes stay English.

(refresh(): the tests' requests share the test's app context, where Flask-Babel keeps the locale
it chose; a test that changes language between requests makes it choose again.)"""
from __future__ import annotations

import io

from flask_babel import refresh
from sqlalchemy import select

from caseapp.cases import lifecycle
from caseapp.payments.models import Payment
from tests.cases.factories import make_case

DE = {"Accept-Language": "de"}
CSV = (b"booked_on,value_on,amount,currency,payer_name,payer_iban,remittance,bank_reference\n"
       b"2026-11-20,,77.00,EUR,Seite Zahler,,keine Referenz,DE-PAGE-1\n"
       b"2026-11-21,,12.00,EUR,Noch Jemand,,auch keine,DE-PAGE-2\n")


def test_the_import_page_and_its_result_in_german(db_session, client_as):
    accountant = client_as("accountant")
    empty = accountant.get("/payments/import", headers=DE).get_data(as_text=True)
    assert "Kontoauszug importieren" in empty and "Importieren</button>" in empty
    assert "Import a bank statement" not in empty and "Statement file" not in empty
    page = accountant.post("/payments/import", headers=DE, data={"file": (io.BytesIO(CSV), "seite.csv")},
                           content_type="multipart/form-data").get_data(as_text=True)
    assert "2 Umsätze:" in page and "2 nicht zugeordnet" in page and "0 sonstige Belastungen" in page
    assert "nicht zugeordnet</td>" in page and "unmatched</td>" not in page and "2 entries" not in page
    db_session.expire_all()
    assert {p.status for p in db_session.scalars(select(Payment).where(Payment.bank_reference.like("DE-PAGE-%")))} \
        == {"unmatched"}                                        # the code stays English


def test_a_refused_import_explains_itself_in_german(db_session, client_as):
    accountant = client_as("accountant")
    bad = accountant.post("/payments/import", headers=DE, data={"file": (io.BytesIO(CSV.replace(b"77.00", b"7x")),
                                                                           "bad.csv")},
                          content_type="multipart/form-data")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "CSV-Zeile 2: amount" in text and "ist kein Betrag" in text
    assert "is not an amount" not in text
    latin = accountant.post("/payments/import", headers=DE, data={"file": (io.BytesIO("ä".encode("latin-1") + CSV),
                                                                             "latin.csv")},
                            content_type="multipart/form-data").get_data(as_text=True)
    assert "ist kein UTF-8-Text" in latin
    none = accountant.post("/payments/import", headers=DE, data={}, content_type="multipart/form-data")
    assert none.status_code == 400 and "Wählen Sie einen Kontoauszug" in none.get_data(as_text=True)
    # Without Accept-Language the same refusal is English, as before.
    refresh()
    english = accountant.post("/payments/import", data={"file": (io.BytesIO(CSV.replace(b"77.00", b"7x")), "b.csv")},
                              content_type="multipart/form-data").get_data(as_text=True)
    assert "CSV line 2: amount" in english and "is not an amount" in english


def test_the_unmatched_queue_assigns_in_german(db_session, client_as):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="77.00")
    accountant = client_as("accountant")
    accountant.post("/payments/import", data={"file": (io.BytesIO(CSV), "queue.csv")},
                    content_type="multipart/form-data")
    refresh()
    queue = accountant.get("/payments/unmatched", headers=DE).get_data(as_text=True)
    assert "Nicht zugeordnete Zahlungen (2)" in queue and "Zuordnen</button>" in queue
    assert "Verwendungszweck" in queue and "Letzte Importe" in queue and "2 Umsätze" in queue
    assert "Unmatched payments" not in queue and "Assign</button>" not in queue and "Latest imports" not in queue
    payment = db_session.scalar(select(Payment).where(Payment.bank_reference == "DE-PAGE-1"))
    refused = accountant.post(f"/payments/{payment.id}/assign", headers=DE, data={"case": "", "version": payment.version},
                              follow_redirects=True).get_data(as_text=True)
    assert "Geben Sie das Aktenzeichen ein" in refused and "type the case reference" not in refused
    done = accountant.post(f"/payments/{payment.id}/assign", headers=DE,
                           data={"case": case.ref, "version": payment.version}, follow_redirects=True)
    assert f"Zahlung {payment.id} auf {case.ref} gebucht." in done.get_data(as_text=True)
    section = client_as("handler").get(f"/cases/{case.ref}", headers=DE).get_data(as_text=True)
    assert "Zahlungen (1)" in section and "zugeordnet (von Hand)" in section and "Payer</th>" not in section
