"""What the dashboards (caseapp.reports) read of payouts: a selection they aggregate in SQL."""
from __future__ import annotations

from sqlalchemy import Select, select

from caseapp.payouts.models import CONFIRMED, PayoutBatch, PayoutItem


def paid_out() -> Select:
    """Every client share paid out: per case collection in a batch the bank has confirmed (case,
    when the batch was confirmed, its currency, the client's share)."""
    return (select(PayoutItem.case_id.label("case_id"), PayoutBatch.confirmed_at.label("paid_at"),
                   PayoutBatch.currency.label("currency"), PayoutItem.client_share_minor.label("paid_minor"))
            .join(PayoutBatch, PayoutBatch.id == PayoutItem.batch_id)
            .where(PayoutBatch.state == CONFIRMED, PayoutBatch.confirmed_at.is_not(None)))
