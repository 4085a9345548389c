"""The state machine's own answers, word for word: the moves it offers (in ladder order), where
an on-hold case may go back to, and each refusal with the message a handler reads."""
from __future__ import annotations

import pytest

from caseapp.cases import lifecycle
from caseapp.core.errors import IllegalTransition

# In words, never the codes (a handler reads them).
ALL_REASONS = ("Paid in full, Licence shown, Not commercial use, No postal address, Country not feasible, "
               "Below the minimum claim, Ownership disputed, Withdrawn by the client, Uncollectable, Time-barred, "
               "Court case lost, Duplicate case")


def refusal(stage, target, **kwargs) -> str:
    with pytest.raises(IllegalTransition) as refused:
        lifecycle.check_transition(stage, target, **kwargs)
    return str(refused.value)


def test_the_moves_offered_come_in_ladder_order():
    assert lifecycle.allowed_targets("final_demand") == ["collection", "legal", "settled", "paid", "on_hold",
                                                         "closed"]
    assert lifecycle.allowed_targets("ready") == ["checking", "offer_sent", "on_hold", "closed"]
    assert lifecycle.allowed_targets("closed") == []


def test_an_on_hold_case_may_go_back_only_to_the_stage_it_was_held_from():
    assert lifecycle.allowed_targets("on_hold", "court") == ["court", "closed"]
    assert lifecycle.allowed_targets("on_hold") == ["closed"]          # held from nowhere known: only close


def test_a_stage_remembered_from_a_hold_opens_nothing_outside_the_hold():
    """Only an on-hold case goes back where it was held from; a case in another stage with a stale
    held-from stage gets its usual moves."""
    assert lifecycle.allowed_targets("offer_sent", held_from="court") == lifecycle.allowed_targets("offer_sent")
    assert "court" not in refusal("offer_sent", "court", held_from="court").split("It can move to:")[1]


def test_a_legal_move_passes_silently():
    assert lifecycle.check_transition("new", "checking") is None
    assert lifecycle.check_transition("on_hold", "legal", held_from="legal") is None
    assert lifecycle.check_transition("paid", "closed", reason="paid_in_full") is None
    assert lifecycle.check_transition("checking", "closed", reason="duplicate") is None


def test_an_unknown_stage_is_refused_listing_the_stages():
    assert refusal("new", "limbo") == (
        "'limbo' is not a stage. Stages are: new, checking, ready, offer_sent, reminder_sent, final_demand, "
        "collection, legal, court, enforcement, settled, paid, on_hold, closed.")


def test_an_illegal_move_is_refused_naming_the_moves_allowed_in_order():
    assert refusal("new", "offer_sent") == (
        "A case in New (new) cannot move to Offer sent (offer_sent). "
        "It can move to: Checking (checking), On hold (on_hold), Closed (closed).")
    assert refusal("on_hold", "offer_sent", held_from="reminder_sent") == (
        "A case in On hold (on_hold) cannot move to Offer sent (offer_sent). "
        "It can move to: Reminder sent (reminder_sent), Closed (closed).")


def test_a_closed_case_is_final():
    assert refusal("closed", "new") == "A case in Closed (closed) is final and cannot move to New (new)."


@pytest.mark.parametrize("reason", [None, ""])
def test_closing_without_a_reason_is_refused_listing_the_reasons(reason):
    assert refusal("offer_sent", "closed", reason=reason) == f"Closing a case needs a reason: choose one of {ALL_REASONS}."


def test_closing_with_an_unknown_reason_is_refused_listing_the_reasons():
    assert refusal("offer_sent", "closed", reason="bored") == \
        f"'bored' is not a closure reason. Choose one of: {ALL_REASONS}."


def test_a_paid_case_closes_as_paid_in_full_and_only_a_paid_case_does():
    assert refusal("paid", "closed", reason="duplicate") == "A paid case closes as “Paid in full”, not “Duplicate case”."
    assert refusal("settled", "closed", reason="paid_in_full") == (
        "Only a paid case closes as “Paid in full”: record the payment first (Record paid in full), then close.")
    lifecycle.check_transition("paid", "closed", reason="paid_in_full")
    lifecycle.check_transition("settled", "closed", reason="duplicate")


def test_no_refusal_names_a_reason_by_its_code():
    """A handler reads the reasons in words: no refusal about closing quotes a code."""
    messages = [refusal("offer_sent", "closed", reason=None), refusal("offer_sent", "closed", reason="bored"),
                refusal("paid", "closed", reason="duplicate"), refusal("settled", "closed", reason="paid_in_full")]
    for message in messages:
        for code in lifecycle.CLOSURE_REASONS:
            assert code not in message, (code, message)


def test_the_reasons_a_stage_may_close_with():
    assert lifecycle.closure_reasons_for("paid") == {"paid_in_full": "Paid in full"}
    others = lifecycle.closure_reasons_for("offer_sent")
    assert "paid_in_full" not in others and len(others) == len(lifecycle.CLOSURE_REASONS) - 1
    for code in others:   # each one the state machine takes
        lifecycle.check_transition("offer_sent", "closed", reason=code)


@pytest.mark.parametrize("closed_from, returns_to", [
    ("offer_sent", "offer_sent"), ("new", "new"), ("paid", "paid"), ("enforcement", "enforcement"),
    (None, "checking"), ("on_hold", "checking"), ("closed", "checking"), ("nonsense", "checking"),
])
def test_a_reopened_case_returns_to_the_stage_it_was_closed_from(closed_from, returns_to):
    assert lifecycle.reopen_target(closed_from) == returns_to


@pytest.mark.parametrize("stage", lifecycle.STAGES)
def test_a_case_can_be_closed_from_every_stage_but_closed(stage):
    held_from = lifecycle.OFFER_SENT if stage == lifecycle.ON_HOLD else None
    assert lifecycle.closable(stage, held_from) is (stage != lifecycle.CLOSED)
