"""The gate: a case leaves its checks stage only when every work is verified and its client
has a signed mandate on file; the refusal names the work and why, and the case page shows
each blocker with a link to fix it."""
from __future__ import annotations

import pytest

from caseapp.cases import lifecycle, services
from caseapp.clients import ownership
from caseapp.core.audit import Actor
from caseapp.core.errors import IllegalTransition
from caseapp.core.money import Money
from tests.cases.factories import make_case
from tests.clients.factories import make_client, make_work
from tests.conftest import TODAY
from tests.parties.factories import make_party

ACTOR = Actor.system("test")


def _case(session, *, mandate=True, statuses=("verified",)):
    holder = make_client(session, mandate=mandate)
    works = [make_work(session, holder, verified=False) for _ in statuses]
    for work, status in zip(works, statuses):
        if status == "verified":
            ownership.verify(session, ACTOR, work, evidence="RAW file and the 2024 invoice", seen_version=None,
                             despite="test set-up")
        elif status == "disputed":
            ownership.dispute(session, ACTOR, work, reason="The recipient says it is a stock photo", seen_version=None)
    case = services.open_case(session, ACTOR, client_id=holder.id, party_id=make_party(session).id,
                              items=[services.ItemSpec(work_id=w.id, page_url=f"https://x.example/{w.id}")
                                     for w in works],
                              claimed=Money.parse("450.00", "EUR"), today=TODAY)
    services.change_stage(session, ACTOR, case, lifecycle.CHECKING, today=TODAY)
    return case, works


def test_all_works_verified_and_a_mandate_the_case_goes_ready(db_session):
    case, _ = _case(db_session, statuses=("verified", "verified"))
    assert services.gate_blockers(db_session, case) == []
    services.change_stage(db_session, ACTOR, case, lifecycle.READY, today=TODAY)
    assert case.stage == lifecycle.READY


def test_an_unverified_work_is_refused_by_name(db_session):
    case, (good, bad) = _case(db_session, statuses=("verified", "unverified"))
    with pytest.raises(IllegalTransition) as refused:
        services.change_stage(db_session, ACTOR, case, lifecycle.READY, today=TODAY)
    assert f"Work {bad.id} '{bad.title}': its ownership is not verified yet" in str(refused.value)
    assert f"Work {good.id} '{good.title}'" not in str(refused.value)   # (a title may contain another id)
    assert case.stage == lifecycle.CHECKING


def test_a_disputed_work_is_refused_with_its_reason(db_session):
    case, (work,) = _case(db_session, statuses=("disputed",))
    with pytest.raises(IllegalTransition, match=f"Work {work.id} .*disputed: The recipient says it is a stock photo"):
        services.change_stage(db_session, ACTOR, case, lifecycle.READY, today=TODAY)


def test_no_mandate_is_refused(db_session):
    case, _ = _case(db_session, mandate=False)
    with pytest.raises(IllegalTransition, match="no signed mandate on file"):
        services.change_stage(db_session, ACTOR, case, lifecycle.READY, today=TODAY)
    (blocker,) = services.gate_blockers(db_session, case)
    assert blocker.url == f"/clients/{case.client_id}"


def test_the_gate_holds_only_at_the_checks_stage(db_session):
    case, _ = _case(db_session, statuses=("unverified",))
    services.change_stage(db_session, ACTOR, case, lifecycle.ON_HOLD, today=TODAY)   # other moves are free
    assert case.stage == lifecycle.ON_HOLD


def test_the_case_page_shows_the_blockers_with_links(client_as, db_session):
    case, (work,) = _case(db_session, mandate=False, statuses=("unverified",))
    html = client_as("handler").get(f"/cases/{case.ref}").get_data(as_text=True)
    assert 'id="gate"' in html and f'href="/works/{work.id}"' in html and f'href="/clients/{case.client_id}"' in html
    assert "its ownership is not verified yet" in html and "no signed mandate on file" in html


def test_the_factory_default_case_passes_the_gate(db_session):
    case = make_case(db_session, lifecycle.CHECKING)
    services.change_stage(db_session, ACTOR, case, lifecycle.READY, today=TODAY)
    assert case.stage == lifecycle.READY
