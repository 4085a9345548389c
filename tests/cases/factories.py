"""Cases for tests: opened through the cases' service, then placed in a stage (setup only)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from caseapp.cases import lifecycle, services
from caseapp.cases.models import Case
from caseapp.clients.models import Client
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput
from caseapp.core.money import Money
from tests.clients.factories import make_client, make_work
from tests.conftest import TODAY
from tests.parties.factories import make_party


def make_case(session, stage: str = lifecycle.NEW, *, held_from: str | None = None,
              country: str = "DE", holder: Client | None = None, claimed: str = "450.00",
              currency: str = "EUR", expected: str | None = None, actor: Actor | None = None) -> Case:
    """A case opened through the service, then placed in `stage` (setup only)."""
    holder = holder or make_client(session)
    opened = services.open_case(
        session, actor or Actor.system("factory"), client_id=holder.id,
        party_id=make_party(session, country).id,
        items=[services.ItemSpec(work_id=make_work(session, holder).id, page_url="https://x.example/p/1")],
        claimed=Money.parse(claimed, currency), today=TODAY,
        expected_value=Money.parse(expected, currency) if expected else None,
    )
    if stage != lifecycle.NEW:
        opened.stage = stage
        if stage == lifecycle.ON_HOLD:
            opened.held_from_stage = held_from or lifecycle.OFFER_SENT
        if stage == lifecycle.CLOSED:
            opened.closure_reason = "duplicate"
            opened.next_due_on = None
        session.flush()
    return opened


def placed(session, stage: str, due: date, **fields) -> Case:
    """A case in `stage` whose next step is due on `due` (what the escalation run reads)."""
    case = make_case(session, stage, **fields)
    case.next_due_on = due
    session.flush()
    return case


def case_events(session, case: Case, action: str) -> list[AuditEvent]:
    """The case's audit events of one action, oldest first."""
    return session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == action)
                           .order_by(AuditEvent.id)).all()


def event_count(session) -> int:
    """Every audit event there is (a refused or dry run writes none)."""
    return session.scalar(select(func.count()).select_from(AuditEvent))


def refusal(call, *args, error=InvalidInput, **kwargs) -> str:
    """What `call` says when it refuses (it must, with `error`)."""
    with pytest.raises(error) as refused:
        call(*args, **kwargs)
    return str(refused.value)


class FakeLetters:
    """The letters domain's callables for the escalation run, faked: what was issued and sent,
    in order, and who sent on which day; refused for the cases named."""

    def __init__(self, *refuse_for: str):
        self.issued: list[tuple[str, str]] = []
        self.sent: list[str] = []
        self.sent_by: set[tuple[str, object]] = set()
        self.refuse_for = set(refuse_for)

    def issue(self, session, actor, case, kind, *, today):
        if case.ref in self.refuse_for:
            raise InvalidInput(f"{case.ref} has no postal address")
        self.issued.append((case.ref, kind))
        return f"{case.ref}:{kind}"

    def send(self, session, actor, letter, *, today):
        self.sent.append(letter)
        self.sent_by.add((actor.name, today))
        return letter
