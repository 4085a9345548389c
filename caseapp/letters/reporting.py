"""What the dashboards (caseapp.reports) read of letters: a selection they aggregate in SQL."""
from __future__ import annotations

from sqlalchemy import Select, func, select

from caseapp.letters.models import RECIPIENT, SENT, Letter


def first_sent() -> Select:
    """Each case's first letter to the recipient that went out: (case_id, first_sent_on)."""
    return (select(Letter.case_id.label("case_id"), func.min(Letter.sent_on).label("first_sent_on"))
            .where(Letter.status == SENT, Letter.recipient == RECIPIENT, Letter.sent_on.is_not(None))
            .group_by(Letter.case_id))
