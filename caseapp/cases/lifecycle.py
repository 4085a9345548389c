"""The case lifecycle: one state machine. Stages change only through
`check_transition`, which refuses an illegal move with a message that names
the allowed ones."""
from __future__ import annotations

from caseapp.core.errors import IllegalTransition
from caseapp.core.money import shown

NEW = "new"
CHECKING = "checking"
READY = "ready"
OFFER_SENT = "offer_sent"
REMINDER_SENT = "reminder_sent"
FINAL_DEMAND = "final_demand"
COLLECTION = "collection"
LEGAL = "legal"
COURT = "court"
ENFORCEMENT = "enforcement"
SETTLED = "settled"
PAID = "paid"
ON_HOLD = "on_hold"
CLOSED = "closed"

# The escalation ladder, in order.
LADDER = (NEW, CHECKING, READY, OFFER_SENT, REMINDER_SENT, FINAL_DEMAND,
          COLLECTION, LEGAL, COURT, ENFORCEMENT)
STAGES = LADDER + (SETTLED, PAID, ON_HOLD, CLOSED)
# Stages where a case still needs work (everything but closed).
OPEN_STAGES = tuple(s for s in STAGES if s != CLOSED)

STAGE_LABELS = {
    NEW: "New",
    CHECKING: "Checking",
    READY: "Ready to send",
    OFFER_SENT: "Offer sent",
    REMINDER_SENT: "Reminder sent",
    FINAL_DEMAND: "Final demand",
    COLLECTION: "Collection",
    LEGAL: "With lawyer",
    COURT: "In court",
    ENFORCEMENT: "Enforcement",
    SETTLED: "Settled",
    PAID: "Paid",
    ON_HOLD: "On hold",
    CLOSED: "Closed",
}

# What moving *to* a stage is called on the case page's buttons.
ACTION_LABELS = {
    CHECKING: "Start checks",
    READY: "Mark ready to send",
    OFFER_SENT: "Record offer sent",
    REMINDER_SENT: "Record reminder sent",
    FINAL_DEMAND: "Record final demand",
    COLLECTION: "Hand to collection",
    LEGAL: "Hand to lawyer",
    COURT: "Record court filing",
    ENFORCEMENT: "Start enforcement",
    SETTLED: "Record settlement",
    PAID: "Record paid in full",
    ON_HOLD: "Put on hold",
    CLOSED: "Close case",
}

_ESCAPES = (SETTLED, PAID, ON_HOLD, CLOSED)
TRANSITIONS: dict[str, frozenset[str]] = {
    NEW: frozenset({CHECKING, ON_HOLD, CLOSED}),
    CHECKING: frozenset({READY, ON_HOLD, CLOSED}),
    READY: frozenset({OFFER_SENT, CHECKING, ON_HOLD, CLOSED}),
    OFFER_SENT: frozenset({REMINDER_SENT, *_ESCAPES}),
    REMINDER_SENT: frozenset({FINAL_DEMAND, *_ESCAPES}),
    FINAL_DEMAND: frozenset({COLLECTION, LEGAL, *_ESCAPES}),
    COLLECTION: frozenset({LEGAL, *_ESCAPES}),
    LEGAL: frozenset({COURT, *_ESCAPES}),
    COURT: frozenset({ENFORCEMENT, *_ESCAPES}),
    ENFORCEMENT: frozenset({SETTLED, PAID, ON_HOLD, CLOSED}),
    # A settlement whose instalments stop goes back to collection or the lawyer.
    SETTLED: frozenset({PAID, COLLECTION, LEGAL, CLOSED}),
    # A payment the bank took back (a return, a reversal): owed again, under the settlement or in
    # collection (payments.services reopens it; a person can too).
    PAID: frozenset({SETTLED, COLLECTION, CLOSED}),
    # On hold returns to the stage it was held from (see allowed_targets), or closes.
    ON_HOLD: frozenset({CLOSED}),
    CLOSED: frozenset(),
}

CLOSURE_REASONS = {
    "paid_in_full": "Paid in full",
    "licence_shown": "Licence shown",
    "not_commercial": "Not commercial use",
    "no_address": "No postal address",
    "country_not_feasible": "Country not feasible",
    "below_minimum": "Below the minimum claim",
    "ownership_disputed": "Ownership disputed",
    "withdrawn_by_client": "Withdrawn by the client",
    "uncollectable": "Uncollectable",
    "time_barred": "Time-barred",
    "court_lost": "Court case lost",
    "duplicate": "Duplicate case",
}

# What sets a stage's next due date (cases.services.due_on_entering, through caseapp.deadlines):
# - a letter stage: the deadline the letter gives the party, `[deadlines] letter_days` of the case's
#   country, counted under that country's and the party's region's rules;
LETTER_STAGES = frozenset({OFFER_SENT, REMINDER_SENT, FINAL_DEMAND})
# - every other stage: the firm's own work period, in working days of its calendar
#   (CASEAPP_FIRM_CALENDAR, default DE-BE).
WORK_DAYS = {
    NEW: 2, CHECKING: 4, READY: 2, COLLECTION: 20, LEGAL: 20, COURT: 40, ENFORCEMENT: 40,
    SETTLED: 20, PAID: 2, ON_HOLD: 20,
}

NEXT_STEP = {
    NEW: "Start checks",
    CHECKING: "Finish checks",
    READY: "Send the offer",
    OFFER_SENT: "Reminder due",
    REMINDER_SENT: "Final demand due",
    FINAL_DEMAND: "Decide: collection or lawyer",
    COLLECTION: "Collection follow-up",
    LEGAL: "Lawyer's review due",
    COURT: "Court follow-up",
    ENFORCEMENT: "Enforcement follow-up",
    SETTLED: "Next instalment due",
    PAID: "Close the case",
    ON_HOLD: "Review the hold",
}


def allowed_targets(stage: str, held_from: str | None = None) -> list[str]:
    """The stages a case in `stage` may move to, in ladder order."""
    targets = set(TRANSITIONS[stage])
    if stage == ON_HOLD and held_from:
        targets.add(held_from)
    return [s for s in STAGES if s in targets]


def check_transition(
    stage: str, target: str, *, reason: str | None = None, held_from: str | None = None
) -> None:
    """Refuse an illegal move with a message a handler can act on."""
    if target not in STAGES:
        raise IllegalTransition(
            f"'{target}' is not a stage. Stages are: {', '.join(STAGES)}."
        )
    allowed = allowed_targets(stage, held_from)
    if target not in allowed:
        if allowed:
            names = ", ".join(f"{STAGE_LABELS[s]} ({s})" for s in allowed)
            raise IllegalTransition(
                f"A case in {STAGE_LABELS[stage]} ({stage}) cannot move to "
                f"{STAGE_LABELS[target]} ({target}). It can move to: {names}."
            )
        raise IllegalTransition(
            f"A case in {STAGE_LABELS[stage]} ({stage}) is final and cannot move to "
            f"{STAGE_LABELS[target]} ({target})."
        )
    if target == CLOSED:
        if not reason:
            raise IllegalTransition("Closing a case needs a reason: choose one of " + reason_list() + ".")
        if reason not in CLOSURE_REASONS:
            raise IllegalTransition(f"{shown(reason)} is not a closure reason. Choose one of: {reason_list()}.")
        if stage == PAID and reason != "paid_in_full":
            raise IllegalTransition(
                f"A paid case closes as “{closure_label('paid_in_full')}”, "
                f"not “{closure_label(reason)}”."
            )
        if reason == "paid_in_full" and stage != PAID:
            raise IllegalTransition(
                f"Only a paid case closes as “{closure_label('paid_in_full')}”: record the payment "
                "first (Record paid in full), then close."
            )


def closure_label(reason: str | None) -> str:
    """A closure reason in words ("Paid in full"), never its code; an unknown code as it is."""
    return CLOSURE_REASONS.get(reason, reason) if reason else ""


def closure_reasons_for(stage: str) -> dict[str, str]:
    """The closure reasons a case in `stage` may close with (code: words): a paid case only as
    paid in full, any other case for any reason but that."""
    return {code: words for code, words in CLOSURE_REASONS.items() if (code == "paid_in_full") == (stage == PAID)}


def reason_list() -> str:
    """The closure reasons in words, as a refusal lists them."""
    return ", ".join(CLOSURE_REASONS.values())


# Reopening a closed case needs a reason, at most this long (it is kept on the audit trail).
REOPEN_REASON_MAX = 2000


def reopen_target(closed_from: str | None) -> str:
    """The stage a closed case returns to when it is reopened: the stage it was closed from
    (`Case.closed_from_stage`; for a case closed while on hold, the stage it was held from:
    whatever held it was settled by the closure). A case whose earlier stage is unknown returns
    to checking, where a handler looks at it again."""
    if closed_from in OPEN_STAGES and closed_from != ON_HOLD:
        return closed_from
    return CHECKING
