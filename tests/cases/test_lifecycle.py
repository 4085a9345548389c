"""Every legal and every illegal stage transition, through the service."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from caseapp.cases import lifecycle, services
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import IllegalTransition, StaleEdit
from tests.cases.factories import make_case
from tests.conftest import TODAY

# The lifecycle as the business describes it, written out independently of
# lifecycle.TRANSITIONS so that a change there must be a deliberate change here.
ESCAPES = {"settled", "paid", "on_hold", "closed"}
LEGAL = {
    "new": {"checking", "on_hold", "closed"},
    "checking": {"ready", "on_hold", "closed"},
    "ready": {"offer_sent", "checking", "on_hold", "closed"},
    "offer_sent": {"reminder_sent"} | ESCAPES,
    "reminder_sent": {"final_demand"} | ESCAPES,
    "final_demand": {"collection", "legal"} | ESCAPES,
    "collection": {"legal"} | ESCAPES,
    "legal": {"court"} | ESCAPES,
    "court": {"enforcement"} | ESCAPES,
    "enforcement": {"settled", "paid", "on_hold", "closed"},
    "settled": {"paid", "collection", "legal", "closed"},
    "paid": {"settled", "collection", "closed"},   # a payment returned: owed again
    "on_hold": {"offer_sent", "closed"},  # back to where it was held from (offer_sent here)
    "closed": set(),
}
STAGES = list(LEGAL)
assert set(STAGES) == set(lifecycle.STAGES)
ACTOR = Actor(None, "tester")


def reason_for(source, target):
    if target != "closed":
        return None
    return "paid_in_full" if source == "paid" else "licence_shown"


PAIRS = [(s, t) for s in STAGES for t in STAGES if s != t]


@pytest.mark.parametrize("source,target", [p for p in PAIRS if p[1] in LEGAL[p[0]]])
def test_legal_transition_moves_and_is_audited(db_session, source, target):
    case = make_case(db_session, source, held_from="offer_sent")
    version = case.version
    services.change_stage(db_session, ACTOR, case, target, today=TODAY,
                          reason=reason_for(source, target), seen_version=version)
    db_session.commit()
    assert case.stage == target
    assert case.version == version + 1
    event = db_session.scalars(select(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.action == "case.stage_changed")).one()
    assert (event.from_state, event.to_state, event.actor_name) == (source, target, "tester")
    if target == "closed":
        assert case.closure_reason == reason_for(source, target)
        assert case.next_due_on is None and case.closed_at is not None
    else:
        assert case.next_due_on > TODAY and case.next_step
    if target == "on_hold":
        assert case.held_from_stage == source
    if source == "on_hold":
        assert case.held_from_stage is None


@pytest.mark.parametrize("source,target", [p for p in PAIRS if p[1] not in LEGAL[p[0]]])
def test_illegal_transition_refused_naming_the_allowed_ones(db_session, source, target):
    case = make_case(db_session, source, held_from="offer_sent")
    with pytest.raises(IllegalTransition) as refused:
        services.change_stage(db_session, ACTOR, case, target, today=TODAY,
                              reason=reason_for(source, target))
    message = str(refused.value)
    if LEGAL[source]:
        for allowed in LEGAL[source]:
            assert f"({allowed})" in message
    else:
        assert "final" in message
    assert case.stage == source
    assert not db_session.scalars(select(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.action == "case.stage_changed")).all()


def test_on_hold_resumes_only_where_it_was_held(db_session):
    case = make_case(db_session, "reminder_sent")
    services.change_stage(db_session, ACTOR, case, "on_hold", today=TODAY)
    with pytest.raises(IllegalTransition, match=r"Reminder sent \(reminder_sent\)"):
        services.change_stage(db_session, ACTOR, case, "offer_sent", today=TODAY)
    services.change_stage(db_session, ACTOR, case, "reminder_sent", today=TODAY)
    assert case.stage == "reminder_sent"


@pytest.mark.parametrize("reason,message", [
    (None, "needs a reason"),
    ("bored", "not a closure reason"),
    ("paid_in_full", "Only a paid case closes as “Paid in full”"),
])
def test_closing_needs_a_valid_reason(db_session, reason, message):
    case = make_case(db_session, "offer_sent")
    with pytest.raises(IllegalTransition, match=message):
        services.change_stage(db_session, ACTOR, case, "closed", today=TODAY, reason=reason)


def test_paid_case_closes_as_paid_in_full_only(db_session):
    case = make_case(db_session, "paid")
    with pytest.raises(IllegalTransition, match="A paid case closes as “Paid in full”, not “Duplicate case”"):
        services.change_stage(db_session, ACTOR, case, "closed", today=TODAY, reason="duplicate")


def test_every_closure_reason_is_accepted(db_session):
    for reason in lifecycle.CLOSURE_REASONS:
        case = make_case(db_session, "paid" if reason == "paid_in_full" else "checking")
        services.change_stage(db_session, ACTOR, case, "closed", today=TODAY, reason=reason)
        assert case.closure_reason == reason


def test_unknown_stage_refused(db_session):
    case = make_case(db_session, "new")
    with pytest.raises(IllegalTransition, match="not a stage"):
        services.change_stage(db_session, ACTOR, case, "limbo", today=TODAY)


def test_stage_change_on_stale_copy_refused(db_session):
    case = make_case(db_session, "new")
    seen = case.version
    services.change_stage(db_session, ACTOR, case, "checking", today=TODAY, seen_version=seen)
    with pytest.raises(StaleEdit, match=f"^Case {case.ref} was changed by someone else"):   # the case named
        services.change_stage(db_session, ACTOR, case, "ready", today=TODAY, seen_version=seen)
    assert case.stage == "checking"


def test_case_refs_are_unique_and_human_friendly(db_session):
    refs = [make_case(db_session).ref for _ in range(5)]
    assert len(set(refs)) == 5
    for ref in refs:
        assert ref.startswith(f"C-{TODAY.year}-") and len(ref) == len("C-2026-000123")
