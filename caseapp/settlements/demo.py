"""Demo settlements on the demo's settled and paid cases: out of court and in court, single
payments and instalment plans, one plan with a missed instalment (nothing received: the daily
escalation raises it). The payments for them are the payments domain's demo."""
from __future__ import annotations

from datetime import timedelta

from caseapp.cases import lifecycle
from caseapp.cases import services as cases
from caseapp.core.demo import Demo
from caseapp.settlements import services

COVERS = "The use of the works on the recipient's website up to the agreement, costs included"


def load(demo: Demo) -> None:
    session, today, actor = demo.session, demo.today, demo.actor
    made = 0
    for stage in (lifecycle.SETTLED, lifecycle.PAID):
        for n, case in enumerate(list(cases.list_cases(session, stage=stage, limit=12))):
            if not case.claimed_minor or services.settlement_of(session, case.id) is not None:
                continue
            floor = services.floor_of(session, case)
            amount = floor.amount if floor.amount.minor else case.claimed   # at the floor: no consent needed
            in_court = n % 3 == 2
            if stage == lifecycle.SETTLED and n == 0:      # the missed instalment: due two months ago
                agreed, count, first_due = today - timedelta(days=75), 3, today - timedelta(days=60)
            elif stage == lifecycle.SETTLED and n % 2 == 1:   # a plan running into the next months
                agreed, count, first_due = today - timedelta(days=10), 2 + n % 4, today + timedelta(days=20)
            else:
                agreed, count, first_due = today - timedelta(days=30 + n), 1, None
            services.record_settlement(session, actor, case, amount=amount, covers=COVERS, agreed_on=agreed,
                                       today=today, instalments=count, first_due=first_due, in_court=in_court)
            made += 1
    demo.counts["settlements"] = made
