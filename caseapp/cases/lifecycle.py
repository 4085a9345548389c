"""The case lifecycle: one state machine. Stages change only through
`check_transition`, which refuses an illegal move with a message that names
the allowed ones."""
from __future__ import annotations

from flask_babel import gettext

from caseapp.core.errors import IllegalTransition
from caseapp.core.i18n import N_
from caseapp.core.money import shown
from caseapp.core.i18n import Words

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

# Stages in the reader's words (core.i18n.Words: English underneath, for the command line, JSON
# and the audit trail; translated where shown).
# Letters to recipients and clients never say them in the reader's language (letters.context).
STAGE_LABELS = {
    NEW: Words(N_("New")),
    CHECKING: Words(N_("Checking")),
    READY: Words(N_("Ready to send")),
    OFFER_SENT: Words(N_("Offer sent")),
    REMINDER_SENT: Words(N_("Reminder sent")),
    FINAL_DEMAND: Words(N_("Final demand")),
    COLLECTION: Words(N_("Collection")),
    LEGAL: Words(N_("With lawyer")),
    COURT: Words(N_("In court")),
    ENFORCEMENT: Words(N_("Enforcement")),
    SETTLED: Words(N_("Settled")),
    PAID: Words(N_("Paid")),
    ON_HOLD: Words(N_("On hold")),
    CLOSED: Words(N_("Closed")),
}

# What moving *to* a stage is called on the case page's buttons.
ACTION_LABELS = {
    CHECKING: Words(N_("Start checks")),
    READY: Words(N_("Mark ready to send")),
    OFFER_SENT: Words(N_("Record offer sent")),
    REMINDER_SENT: Words(N_("Record reminder sent")),
    FINAL_DEMAND: Words(N_("Record final demand")),
    COLLECTION: Words(N_("Hand to collection")),
    LEGAL: Words(N_("Hand to lawyer")),
    COURT: Words(N_("Record court filing")),
    ENFORCEMENT: Words(N_("Start enforcement")),
    SETTLED: Words(N_("Record settlement")),
    PAID: Words(N_("Record paid in full")),
    ON_HOLD: Words(N_("Put on hold")),
    CLOSED: Words(N_("Close case")),
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

# Closure reasons in English (the words are kept on the audit trail as the closure's reason);
# marked for the catalogue, translated where shown (closure_label, closure_reasons_for).
CLOSURE_REASONS = {
    "paid_in_full": N_("Paid in full"),
    "licence_shown": N_("Licence shown"),
    "not_commercial": N_("Not commercial use"),
    "no_address": N_("No postal address"),
    "country_not_feasible": N_("Country not feasible"),
    "below_minimum": N_("Below the minimum claim"),
    "ownership_disputed": N_("Ownership disputed"),
    "withdrawn_by_client": N_("Withdrawn by the client"),
    "uncollectable": N_("Uncollectable"),
    "time_barred": N_("Time-barred"),
    "court_lost": N_("Court case lost"),
    "duplicate": N_("Duplicate case"),
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

# The next step a stage sets, stored on the case in English (Case.next_step); the pages show it
# translated (next_step_label).
NEXT_STEP = {
    NEW: N_("Start checks"),
    CHECKING: N_("Finish checks"),
    READY: N_("Send the offer"),
    OFFER_SENT: N_("Reminder due"),
    REMINDER_SENT: N_("Final demand due"),
    FINAL_DEMAND: N_("Decide: collection or lawyer"),
    COLLECTION: N_("Collection follow-up"),
    LEGAL: N_("Lawyer's review due"),
    COURT: N_("Court follow-up"),
    ENFORCEMENT: N_("Enforcement follow-up"),
    SETTLED: N_("Next instalment due"),
    PAID: N_("Close the case"),
    ON_HOLD: N_("Review the hold"),
}


def allowed_targets(stage: str, held_from: str | None = None) -> list[str]:
    """The stages a case in `stage` may move to, in ladder order."""
    targets = set(TRANSITIONS[stage])
    if stage == ON_HOLD and held_from:
        targets.add(held_from)
    return [s for s in STAGES if s in targets]


def closable(stage: str, held_from: str | None = None) -> bool:
    """Whether a case in `stage` can be closed now: from every stage but closed itself (a licence
    shown, the client withdrawing, a duplicate can end a case at any point)."""
    return CLOSED in allowed_targets(stage, held_from)


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
            raise IllegalTransition(gettext(
                "A case in %(stage)s (%(code)s) cannot move to %(target)s (%(target_code)s). It can move to: %(names)s.",
                stage=STAGE_LABELS[stage], code=stage, target=STAGE_LABELS[target], target_code=target, names=names))
        raise IllegalTransition(gettext(
            "A case in %(stage)s (%(code)s) is final and cannot move to %(target)s (%(target_code)s).",
            stage=STAGE_LABELS[stage], code=stage, target=STAGE_LABELS[target], target_code=target))
    if target == CLOSED:
        if not reason:
            raise IllegalTransition(gettext("Closing a case needs a reason: choose one of %(reasons)s.",
                                            reasons=reason_list()))
        if reason not in CLOSURE_REASONS:
            raise IllegalTransition(gettext("%(reason)s is not a closure reason. Choose one of: %(reasons)s.",
                                            reason=shown(reason), reasons=reason_list()))
        if stage == PAID and reason != "paid_in_full":
            raise IllegalTransition(gettext("A paid case closes as “%(paid)s”, not “%(reason)s”.",
                                            paid=closure_label("paid_in_full"), reason=closure_label(reason)))
        if reason == "paid_in_full" and stage != PAID:
            raise IllegalTransition(gettext(
                "Only a paid case closes as “%(paid)s”: record the payment first (%(action)s), then close.",
                paid=closure_label("paid_in_full"), action=ACTION_LABELS[PAID]))


def closure_label(reason: str | None) -> str:
    """A closure reason in words ("Paid in full"), never its code; an unknown code as it is."""
    return gettext(CLOSURE_REASONS[reason]) if reason in CLOSURE_REASONS else (reason or "")


def closure_reasons_for(stage: str) -> dict[str, str]:
    """The closure reasons a case in `stage` may close with (code: words): a paid case only as
    paid in full, any other case for any reason but that."""
    return {code: gettext(words) for code, words in CLOSURE_REASONS.items() if (code == "paid_in_full") == (stage == PAID)}


def reason_list() -> str:
    """The closure reasons in words, as a refusal lists them."""
    return ", ".join(gettext(words) for words in CLOSURE_REASONS.values())


_NEXT_STEPS = frozenset(NEXT_STEP.values())


def next_step_label(step: str | None) -> str:
    """A case's stored next step in the reader's words: one of NEXT_STEP translated, any other
    text (typed by a person, or set by another domain) as it is."""
    if not step:
        return ""
    return gettext(step) if step in _NEXT_STEPS else step


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
