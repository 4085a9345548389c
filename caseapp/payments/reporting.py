"""What the dashboards (caseapp.reports) read of payments: a selection they aggregate in SQL."""
from __future__ import annotations

from sqlalchemy import Select, select

from caseapp.payments.models import CREDIT, MATCHED, Payment


def collections() -> Select:
    """Every payment collected for a case and still standing (a credit matched to a case; one the
    bank took back is 'returned' and left out): case, day booked, currency, the amount and the part
    of it that paid the claim (the rest paid costs, interest or was an excess)."""
    return (select(Payment.case_id.label("case_id"), Payment.booked_on.label("booked_on"),
                   Payment.currency.label("currency"), Payment.amount_minor.label("amount_minor"),
                   Payment.claim_minor.label("claim_minor"))
            .where(Payment.direction == CREDIT, Payment.status == MATCHED, Payment.case_id.is_not(None)))
