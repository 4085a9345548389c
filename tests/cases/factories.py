"""Cases for tests: opened through the cases' service, then placed in a stage (setup only)."""
from __future__ import annotations

from caseapp.cases import lifecycle, services
from caseapp.cases.models import Case
from caseapp.clients.models import Client
from caseapp.core.audit import Actor
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
