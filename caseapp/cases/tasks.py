"""Background jobs of the cases domain: the daily escalation (celery beat; by hand `caseapp escalate`).
A second run on the same day changes nothing, so a task delivered twice does no harm."""
from __future__ import annotations

from caseapp.core.jobs import background


@background("cases.daily_escalation")
def daily_escalation() -> int:
    """Escalate the cases whose deadline passed, as of today in the firm's time zone. Returns how
    many changed."""
    from caseapp.cases.escalation import escalate
    from caseapp.core.audit import Actor
    from caseapp.core.clock import today
    from caseapp.core.uow import unit_of_work
    from caseapp.extensions import get_session

    with unit_of_work(get_session()) as session:
        steps = escalate(session, Actor.system("escalation"), today=today(), dry_run=False)
    return sum(step.changed for step in steps)
