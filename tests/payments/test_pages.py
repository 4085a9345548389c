"""The accountant's payment pages: the unmatched queue, one click to assign, the import page, the
case page's payments section; a handler reads, only an accountant writes."""
from __future__ import annotations

import io

from sqlalchemy import select

from caseapp.cases import lifecycle
from caseapp.payments.models import Payment
from tests.cases.factories import make_case

CSV = (b"booked_on,value_on,amount,currency,payer_name,payer_iban,remittance,bank_reference\n"
       b"2026-11-20,,77.00,EUR,Page Payer,,no reference here,PAGE-1\n")


def test_import_queue_assign_and_case_section(db_session, client_as):
    case = make_case(db_session, lifecycle.OFFER_SENT, claimed="77.00")
    accountant = client_as("accountant")
    page = accountant.post("/payments/import", data={"file": (io.BytesIO(CSV), "page.csv")},
                           content_type="multipart/form-data")
    assert page.status_code == 200 and b"1 entries" in page.data
    payment = db_session.scalar(select(Payment).where(Payment.bank_reference == "PAGE-1"))
    queue = accountant.get("/payments/unmatched")
    assert b"Page Payer" in queue.data and case.ref.encode() in queue.data      # suggested: owes exactly 77.00
    assert client_as("handler").post(f"/payments/{payment.id}/assign", data={"case": case.ref}).status_code == 403
    db_session.expire_all()
    assert payment.status == "unmatched"
    done = accountant.post(f"/payments/{payment.id}/assign", data={"case": case.ref.replace("-", " "),
                                                                   "version": payment.version})
    assert done.status_code == 302
    db_session.refresh(payment)
    assert payment.status == "matched" and payment.case_id == case.id
    shown = client_as("handler").get(f"/cases/{case.ref}")
    assert b'id="payments"' in shown.data and b"Page Payer" in shown.data


def test_a_bad_file_says_where_on_the_page(db_session, client_as):
    page = client_as("accountant").post("/payments/import", data={"file": (io.BytesIO(CSV.replace(b"77.00", b"7x")),
                                                                            "bad.csv")},
                                        content_type="multipart/form-data")
    assert page.status_code == 400 and b"CSV line 2: amount" in page.data
