"""Negotiation and settlement, as use cases over a session.

- An offer (by the firm or the recipient) is recorded with its amount in the case's currency.
  A handler accepts it when it is at or above the client's floor (the case's contract,
  clients.contracts.case_terms: `settlement_floor_bp` of the claimed amount, compared exactly in
  integers); below the floor the client's consent (who, how, when) must be recorded with it.
- A settlement (one active per case) records the amount, what it covers, the day agreed, whether
  it was in court (the case was with the lawyer, in court or in enforcement: the payout split
  uses it), and an optional instalment plan: the amount allocated in equal parts by the largest
  remainder (Money.allocate: they add up to the cent), due on the same day of the following
  months moved to a working day (deadlines.next_working_day of the case's country). Recording
  it moves the case to SETTLED through cases.services.change_stage (audited).
- Instalment states are derived, not stored: the money received on the case (the ledger's
  COLLECTED and COSTS_ADVANCED credits for the case, reversed transactions left out) covers the
  instalments in order; instalment N is paid when what was received reaches the sum of
  instalments 1..N. It is overdue after its due date and missed GRACE_DAYS working days after
  it (the daily job raises a missed instalment once: `raised_on`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext, lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.cases import lifecycle
from caseapp.cases import services as cases
from caseapp.clients import contracts
from caseapp.core import audit
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.models import utcnow
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.money import Money, shown
from caseapp.core.records import check_version
from caseapp.core.page_reads import remembered
from caseapp.deadlines import services as deadlines
from caseapp.ledger import services as ledger
from caseapp.settlements.models import (ACCEPTED, ACTIVE, CANCELLED, FIRM, OPEN, RECIPIENT, REJECTED, SIDES, Instalment,
                                        Settlement, SettlementOffer)

IN_COURT_STAGES = (lifecycle.LEGAL, lifecycle.COURT, lifecycle.ENFORCEMENT)
MAX_INSTALMENTS = 60
GRACE_DAYS = 5          # working days after an instalment's due date before it counts as missed
MAX_NOTE = 2000

# Instalment states (derived).
PAID, PART_PAID, DUE, OVERDUE, MISSED = "paid", "part paid", "due", "overdue", "missed"
SIDE_WORDS = {FIRM: lazy_gettext("the firm"), RECIPIENT: lazy_gettext("the recipient")}
# The money card's labels in the page's language (MoneyCard.rows keeps them English: the JSON's keys).
CARD_LABELS = {"Claimed": lazy_gettext("Claimed"), "Settled": lazy_gettext("Settled"), "Paid": lazy_gettext("Paid"),
               "Outstanding": lazy_gettext("Outstanding"), "Paid out": lazy_gettext("Paid out")}


# --- the floor and consent -------------------------------------------------------------------

@dataclass(frozen=True)
class Consent:
    """The client's consent to settle below their floor, as the handler records it."""

    by: str
    how: str
    on: date

    @classmethod
    def of(cls, by: str | None, how: str | None, on: date | None) -> "Consent | None":
        """From a form or the command line: all three or none (naming what is missing)."""
        by, how = " ".join(str(by or "").split()), " ".join(str(how or "").split())
        if not (by or how or on):
            return None
        missing = [name for name, value in (("who consented", by), ("how", how), ("when", on)) if not value]
        if missing:
            raise InvalidInput(f"Consent: say {', '.join(missing)} (the client's consent needs who, how and when).")
        if len(by) > 200 or len(how) > 200:
            raise InvalidInput("Consent: who and how in at most 200 characters each.")
        return cls(by, how, on)


@dataclass(frozen=True)
class Floor:
    """The lowest amount the client accepts without being asked: `bp` of the claimed amount."""

    bp: int
    claimed: Money

    def allows(self, amount: Money) -> bool:
        """At or above the floor (exact: amount x 10000 >= claimed x bp, no rounding)."""
        return amount.minor * 10000 >= self.claimed.minor * self.bp

    @property
    def amount(self) -> Money:
        """The floor in money, rounded up to the cent (what the page shows)."""
        whole, rest = divmod(self.claimed.minor * self.bp, 10000)
        return Money(whole + (1 if rest else 0), self.claimed.currency)

    @property
    def percent(self) -> str:
        return contracts.percent_text(self.bp)


def floor_of(session: Session, case) -> Floor:
    """The client's floor for the case, from the contract the case is worked under."""
    return Floor(contracts.case_terms(session, case).settlement_floor_bp, case.claimed)


def _check_floor(session: Session, case, amount: Money, consent: Consent | None) -> Floor:
    floor = floor_of(session, case)
    if not floor.allows(amount) and consent is None:
        raise InvalidInput(gettext("Consent: %(amount)s is below the client's floor of %(floor)s (%(percent)s of the "
                                   "claimed %(claimed)s); record the client's consent (who, how, when) to accept it.",
                                   amount=amount, floor=floor.amount, percent=floor.percent, claimed=case.claimed))
    return floor


def _amount(case, amount: Money) -> Money:
    if not isinstance(amount, Money):
        raise InvalidInput("Amount: give the amount as money in the case's currency.")
    if amount.currency != case.currency:
        raise InvalidInput(f"Amount: case {case.ref} is in {case.currency}; give the amount in {case.currency}.")
    if amount.minor <= 0:
        raise InvalidInput(gettext("Amount: an offer or settlement must be more than %(zero)s.",
                                   zero=Money.zero(case.currency)))
    return amount


def _note(note: str | None) -> str | None:
    note = str(note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        raise InvalidInput(f"Note: at most {MAX_NOTE:,} characters.")
    return note


# --- offers -----------------------------------------------------------------------------------

def offers_of(session: Session, case_id: int) -> list[SettlementOffer]:
    return list(session.scalars(select(SettlementOffer).where(SettlementOffer.case_id == case_id)
                                .order_by(SettlementOffer.made_on, SettlementOffer.id)))


def get_offer(session: Session, case, offer_id: int) -> SettlementOffer:
    offer = session.get(SettlementOffer, offer_id)
    if offer is None or offer.case_id != case.id:
        raise NotFound(f"Case {case.ref} has no offer {offer_id}.")
    return offer


def make_offer(session: Session, actor: Actor, case, *, side: str, amount: Money, made_on: date,
               note: str | None = None) -> SettlementOffer:
    """Record an offer or counter-offer on the case (audited)."""
    if side not in SIDES:
        raise InvalidInput(f"By: {side!r} is not who made an offer; use one of {', '.join(SIDES)}.")
    if not case.is_open or case.stage in (lifecycle.PAID,):
        raise InvalidInput(f"Case {case.ref} is {lifecycle.STAGE_LABELS[case.stage].lower()}; no more offers.")
    amount, note = _amount(case, amount), _note(note)
    offer = SettlementOffer(case_id=case.id, side=side, amount_minor=amount.minor, currency=amount.currency,
                            note=note, made_on=made_on, recorded_by=actor.name, state=OPEN)
    session.add(offer)
    session.flush()
    audit.record(session, actor, "settlement.offer_made", "settlement_offer", offer.id, case_id=case.id,
                 reason=note, details={"side": side, "amount": str(amount), "made_on": made_on.isoformat()})
    return offer


def _decide(session, actor, case, offer_id, state, seen_version) -> SettlementOffer:
    offer = get_offer(session, case, offer_id)
    check_version(f"Offer {offer.id}", offer, seen_version)
    if offer.state != OPEN:
        raise InvalidInput(f"Offer {offer.id} was {offer.state} already.")
    offer.state, offer.decided_by, offer.decided_at = state, actor.name, utcnow()
    return offer


def accept_offer(session: Session, actor: Actor, case, offer_id: int, *, consent: Consent | None = None,
                 seen_version: int | None = None) -> SettlementOffer:
    """Accept an open offer: at or above the client's floor the handler may; below it, only with
    the client's consent recorded (who, how, when). Audited; the settlement is recorded next."""
    offer = get_offer(session, case, offer_id)
    floor = _check_floor(session, case, offer.amount, consent)
    offer = _decide(session, actor, case, offer_id, ACCEPTED, seen_version)
    if consent is not None:
        offer.consent_by, offer.consent_how, offer.consent_on = consent.by, consent.how, consent.on
    session.flush()
    audit.record(session, actor, "settlement.offer_accepted", "settlement_offer", offer.id, case_id=case.id,
                 from_state=OPEN, to_state=ACCEPTED,
                 details={"amount": str(offer.amount), "floor": str(floor.amount), "below_floor": not floor.allows(offer.amount),
                          "consent": [consent.by, consent.how, consent.on.isoformat()] if consent else None})
    return offer


def reject_offer(session: Session, actor: Actor, case, offer_id: int, *, note: str | None = None,
                 seen_version: int | None = None) -> SettlementOffer:
    offer = _decide(session, actor, case, offer_id, REJECTED, seen_version)
    session.flush()
    audit.record(session, actor, "settlement.offer_rejected", "settlement_offer", offer.id, case_id=case.id,
                 from_state=OPEN, to_state=REJECTED, reason=_note(note), details={"amount": str(offer.amount)})
    return offer


# --- the settlement and its plan ----------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it is shorter)."""
    import calendar

    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class PlannedInstalment:
    number: int
    amount: Money
    due_on: date


def instalment_plan(amount: Money, count: int, first_due: date, *, country: str,
                    subdivision: str | None = None) -> list[PlannedInstalment]:
    """`count` instalments adding up to `amount` to the cent (largest remainder, the earlier
    ones take the odd cents), due on `first_due`'s day of each following month, each moved to
    the next working day of the country (and region)."""
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_INSTALMENTS:
        raise InvalidInput(f"Instalments: give a whole number from 1 to {MAX_INSTALMENTS}.")
    return [PlannedInstalment(i + 1, share, deadlines.next_working_day(country, add_months(first_due, i),
                                                                     subdivision=subdivision))
            for i, share in enumerate(amount.allocate([1] * count))]


@remembered
def settlement_of(session: Session, case_id: int) -> Settlement | None:
    """The case's active settlement, if one was recorded."""
    return session.scalar(select(Settlement).where(Settlement.case_id == case_id, Settlement.state == ACTIVE))


def settlements_by_case(session: Session, case_ids) -> dict[int, Settlement]:
    """The active settlement of each of these cases that has one (`settlement_of` for many cases
    in a few queries: a payout batch asks it for thousands). For more than a thousand cases every
    active settlement is read once and the rest left out (far fewer rows than the ids sent)."""
    ids = sorted(set(case_ids))
    if len(ids) > 1000:
        wanted = set(ids)
        return {s.case_id: s for s in session.scalars(select(Settlement).where(Settlement.state == ACTIVE))
                if s.case_id in wanted}
    return {s.case_id: s for s in session.scalars(
        select(Settlement).where(Settlement.case_id.in_(ids), Settlement.state == ACTIVE))} if ids else {}


def cases_with_settlement():
    """The query of the ids of the cases with an active settlement (to select cases by in SQL)."""
    return select(Settlement.case_id).where(Settlement.state == ACTIVE)


def _stage_before_settled(session: Session, case) -> str:
    """The stage the case was settled from (for a case already settled without a record)."""
    previous = session.scalar(select(AuditEvent.from_state).where(
        AuditEvent.case_id == case.id, AuditEvent.action == "case.stage_changed",
        AuditEvent.to_state == lifecycle.SETTLED).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()))
    return previous or case.stage


def record_settlement(session: Session, actor: Actor, case, *, amount: Money, covers: str, agreed_on: date,
                      today: date, instalments: int = 1, first_due: date | None = None,
                      offer_id: int | None = None, consent: Consent | None = None,
                      seen_version: int | None = None, in_court: bool | None = None) -> Settlement:
    """Record what was agreed on the case and move it to SETTLED (cases.change_stage: the state
    machine and the audit). A case already settled (or paid) keeps its stage. The amount is
    checked against the client's floor unless it is an accepted offer's (which was checked when
    it was accepted); below it the consent is recorded with the settlement."""
    check_version(f"Case {case.ref}", case, seen_version)
    amount = _amount(case, amount)
    covers = " ".join(str(covers or "").split())
    if not covers:
        raise InvalidInput(gettext("Covers: say what the settlement covers (works, period of use, costs)."))
    if len(covers) > MAX_NOTE:
        raise InvalidInput(f"Covers: at most {MAX_NOTE:,} characters.")
    if agreed_on > today:
        raise InvalidInput(gettext("Agreed on: %(day)s is after today; record a settlement once agreed.",
                                   day=agreed_on.isoformat()))
    if settlement_of(session, case.id) is not None:
        raise InvalidInput(gettext("Case %(case)s has a settlement already; one settlement per case.", case=case.ref))
    offer = None
    if offer_id is not None:
        offer = get_offer(session, case, offer_id)
        if offer.state != ACCEPTED:
            raise InvalidInput(f"Offer {offer.id} is {offer.state}; accept it before settling on it.")
        if offer.amount != amount:
            raise InvalidInput(gettext("Amount: offer %(id)s was for %(offered)s, not %(amount)s.", id=offer.id,
                                       offered=offer.amount, amount=amount))
    else:
        _check_floor(session, case, amount, consent)
    count = 1 if instalments is None else instalments
    if count > 1 and first_due is None:
        raise InvalidInput(gettext("First due: an instalment plan needs the first instalment's due date."))
    first = first_due or agreed_on
    if first_due is not None and first_due < agreed_on:
        raise InvalidInput(gettext("First due: %(first)s is before the day agreed %(agreed)s.",
                                   first=first_due.isoformat(), agreed=agreed_on.isoformat()))
    plan = instalment_plan(amount, count, first, country=case.country, subdivision=case.party.subdivision)
    stage = case.stage
    if in_court is None or stage not in (lifecycle.SETTLED, lifecycle.PAID):   # (given: recorded after the fact)
        in_court = (stage if stage not in (lifecycle.SETTLED, lifecycle.PAID)
                    else _stage_before_settled(session, case)) in IN_COURT_STAGES
    settlement = Settlement(case_id=case.id, offer_id=offer.id if offer else None, state=ACTIVE,
                            amount_minor=amount.minor, currency=amount.currency, covers=covers, agreed_on=agreed_on,
                            in_court=in_court, stage_at_agreement=stage, recorded_by=actor.name,
                            consent_by=consent.by if consent else None, consent_how=consent.how if consent else None,
                            consent_on=consent.on if consent else None,
                            instalments=[Instalment(number=p.number, amount_minor=p.amount.minor, due_on=p.due_on)
                                         for p in plan] if count > 1 or first_due is not None else [])
    session.add(settlement)
    session.flush()
    audit.record(session, actor, "settlement.recorded", "settlement", settlement.id, case_id=case.id,
                 details={"amount": str(amount), "covers": covers, "agreed_on": agreed_on.isoformat(),
                          "in_court": in_court, "offer": offer.id if offer else None,
                          "instalments": [[p.number, str(p.amount), p.due_on.isoformat()] for p in plan]
                          if settlement.instalments else [],
                          "consent": [consent.by, consent.how, consent.on.isoformat()] if consent else None})
    if stage not in (lifecycle.SETTLED, lifecycle.PAID):
        cases.change_stage(session, actor, case, lifecycle.SETTLED, today=today,
                           note=f"Settled for {amount}" + (f" in {count} instalments" if count > 1 else ""))
    return settlement


BROKEN_TO = (lifecycle.COLLECTION, lifecycle.LEGAL)


def cancel_settlement(session: Session, actor: Actor, case, *, reason: str, to_stage: str, today: date,
                      seen_version: int | None = None) -> Settlement:
    """The recipient stopped keeping to the settlement: cancel it (kept, marked cancelled;
    audited) and move the case on to collection or the lawyer. From then on the claim is due
    again, less what was paid under the settlement (payments.services.claim_due: the claimed
    amount less the claim paid). Whether the whole claim revives depends on the agreement (a
    default clause); record a new settlement if the parties agree one."""
    check_version(f"Case {case.ref}", case, seen_version)
    settlement = settlement_of(session, case.id)
    if settlement is None:
        raise InvalidInput(f"Case {case.ref} has no settlement to cancel.")
    why = " ".join(str(reason or "").split())
    if not why:
        raise InvalidInput(gettext("Reason: say why the settlement is cancelled (e.g. the second instalment was not "
                                   "paid)."))
    if len(why) > MAX_NOTE:
        raise InvalidInput(f"Reason: at most {MAX_NOTE:,} characters.")
    if to_stage not in BROKEN_TO:
        raise InvalidInput(f"Move to: {shown(to_stage, 20)} is not collection or legal; a case whose settlement "
                           "is cancelled goes to collection or to the lawyer.")
    if case.stage != lifecycle.SETTLED:
        raise InvalidInput(f"Case {case.ref} is {lifecycle.STAGE_LABELS.get(case.stage, case.stage).lower()}, not "
                           "settled: only a settlement still being paid is cancelled.")
    settlement.state = CANCELLED
    session.flush()
    audit.record(session, actor, "settlement.cancelled", "settlement", settlement.id, case_id=case.id,
                 from_state=ACTIVE, to_state=CANCELLED, reason=why,
                 details={"amount": str(settlement.amount), "received": str(received(session, case.id,
                                                                                       settlement.currency)),
                          "to_stage": to_stage})
    cases.change_stage(session, actor, case, to_stage, today=today,
                       note=f"Settlement of {settlement.amount} cancelled: {why}")
    return settlement


# --- money received, instalment states, the money card ------------------------------------------

def _credits(session: Session, account: str, case_id: int, currency: str, until: date | None = None) -> Money:
    return ledger.movements(session, account, currency, case_id=case_id, until=until)[1]


def received(session: Session, case_id: int, currency: str, *, until: date | None = None) -> Money:
    """What the case's payers paid towards it: the case's COLLECTED credits (claim and interest)
    and COSTS_ADVANCED credits (costs recovered); overpayments (OVERPAID) are not counted."""
    return (_credits(session, "collected", case_id, currency, until)
            + _credits(session, "costs_advanced", case_id, currency, until))


@dataclass(frozen=True)
class InstalmentState:
    number: int
    amount: Money
    due_on: date
    covered: Money           # how much of it the money received covers
    state: str               # paid, part paid, due, overdue, missed
    missed_from: date        # the first day it counts as missed (due date + grace)
    raised_on: date | None

    @property
    def words(self) -> str:
        if self.state == PAID:
            return gettext("paid")
        left, day = str(self.amount - self.covered), self.due_on.isoformat()
        if self.state == PART_PAID:
            return gettext("part paid: %(left)s to pay by %(day)s", left=left, day=day)
        if self.state == DUE:
            return gettext("due on %(day)s", day=day)
        if self.state == OVERDUE:
            return gettext("overdue since %(day)s (%(left)s to pay)", day=day, left=left)
        return gettext("missed: %(left)s unpaid since %(day)s", left=left, day=day)


def missed_from(due_on: date) -> date:
    """The first day an instalment due on `due_on` counts as missed (GRACE_DAYS working days later)."""
    return deadlines.working_days(due_on, GRACE_DAYS).due_on


def instalment_states(session: Session, settlement: Settlement, today: date,
                      paid: Money | None = None) -> list[InstalmentState]:
    """Each instalment's state from the money received on the case, covering them in order."""
    paid = received(session, settlement.case_id, settlement.currency) if paid is None else paid
    left, states = paid.minor, []
    for i in settlement.instalments:
        covered = max(0, min(left, i.amount_minor))
        left -= covered
        late = missed_from(i.due_on)
        if covered == i.amount_minor:
            state = PAID
        elif today > late:
            state = MISSED
        elif today > i.due_on:
            state = OVERDUE
        else:
            state = PART_PAID if covered else DUE
        states.append(InstalmentState(i.number, i.amount, i.due_on, Money(covered, settlement.currency), state, late,
                                      i.raised_on))
    return states


def due_on_case(session: Session, case_id: int) -> Money | None:
    """The agreed amount still to pay on the case per its settlement (never below zero); None
    without a settlement. The payments engineer's 'is the case paid?'."""
    settlement = settlement_of(session, case_id)
    if settlement is None:
        return None
    left = settlement.amount - received(session, case_id, settlement.currency)
    return left if left.minor > 0 else Money.zero(settlement.currency)


@dataclass(frozen=True)
class MissedInstalment:
    case_id: int
    settlement_id: int
    instalment_id: int
    number: int
    due_on: date
    unpaid: Money


def missed_instalments(session: Session, today: date) -> list[MissedInstalment]:
    """Instalments of active settlements past their due date + grace without enough money
    received, not yet raised (the daily job raises each once)."""
    rows = session.scalars(select(Settlement).join(Instalment).where(
        Settlement.state == ACTIVE, Instalment.raised_on.is_(None), Instalment.due_on < today)
        .distinct().order_by(Settlement.id))
    out = []
    for settlement in rows:
        for state, instalment in zip(instalment_states(session, settlement, today), settlement.instalments):
            if state.state == MISSED and instalment.raised_on is None:
                out.append(MissedInstalment(settlement.case_id, settlement.id, instalment.id, instalment.number,
                                            instalment.due_on, state.amount - state.covered))
    return out


def mark_raised(session: Session, instalment_id: int, today: date) -> None:
    """The daily job raised this missed instalment (its audit event is the case's)."""
    session.get(Instalment, instalment_id).raised_on = today
    session.flush()


@dataclass(frozen=True)
class MoneyCard:
    claimed: Money
    settled: Money | None
    paid: Money             # received towards the case (claim, interest, costs) + overpaid
    overpaid: Money         # paid too much, still to refund (OVERPAID's balance)
    outstanding: Money      # the settlement (or the claim) less what was received towards it
    paid_out: Money         # collected and split in payout batches (COLLECTED debits)

    def rows(self) -> list[tuple[str, Money | None, str]]:
        """(label, amount, in words) for the page. The label stays English (it is also the key of
        the JSON's money); the page shows it through CARD_LABELS, the words in its language."""
        if self.settled is not None:
            outstanding = gettext("still to pay towards the settlement")
        else:
            outstanding = gettext("still to pay towards the claim and the costs advanced (nothing settled yet)")
        paid = gettext("received on the case: claim, interest and costs, with %(amount)s paid too much (to refund)",
                       amount=str(self.overpaid)) if self.overpaid else \
            gettext("received on the case: claim, interest and costs")
        return [
            ("Claimed", self.claimed, gettext("what the case claims from the recipient")),
            ("Settled", self.settled, gettext("the amount agreed in the settlement") if self.settled is not None
             else gettext("no settlement recorded")),
            ("Paid", self.paid, paid),
            ("Outstanding", self.outstanding, outstanding),
            ("Paid out", self.paid_out, gettext("split in payout batches (the client's share and the firm's)")),
        ]


def money_card(session: Session, case) -> MoneyCard:
    currency = case.currency
    settlement = settlement_of(session, case.id)
    towards = received(session, case.id, currency)
    over_debits, over_credits = ledger.movements(session, "overpaid", currency, case_id=case.id)
    overpaid = over_credits - over_debits
    overpaid = overpaid if overpaid.minor > 0 else Money.zero(currency)
    if settlement is not None:          # the settlement covers the costs too
        outstanding = settlement.amount - towards
    else:                               # the claim, and on top of it the costs the firm advanced (§ 367 BGB)
        costs_left = ledger.balance(session, "costs_advanced", currency, case_id=case.id)
        outstanding = (case.claimed - _credits(session, "collected", case.id, currency)
                       + max(costs_left, Money.zero(currency)))
    paid_out = ledger.movements(session, "collected", currency, case_id=case.id)[0]
    return MoneyCard(case.claimed, settlement.amount if settlement is not None else None, towards + overpaid,
                     overpaid, outstanding if outstanding.minor > 0 else Money.zero(currency), paid_out)


# --- for the letters ------------------------------------------------------------------------------

def letter_terms(session: Session, case) -> dict | None:
    """The recorded settlement as the settlement letters take it (caseapp.letters.context):
    amount, covers, instalments (number, amount, due_on), first_due, paid; None without one."""
    from types import SimpleNamespace as NS

    settlement = settlement_of(session, case.id)
    if settlement is None:
        return None
    plan = [NS(number=i.number, amount=i.amount, due_on=i.due_on) for i in settlement.instalments]
    paid = received(session, case.id, settlement.currency)
    return {"amount": settlement.amount, "covers": settlement.covers, "instalments": len(plan) or 1,
            "plan": plan, "first_due": plan[0].due_on if plan else None,
            "paid": paid if paid.minor else None, "agreed_on": settlement.agreed_on}


def show(session: Session, case, today: date) -> dict:
    """The case's negotiation and settlement as one dict (the command's --json, the page)."""
    settlement = settlement_of(session, case.id)
    floor = floor_of(session, case)
    card = money_card(session, case)
    return {
        "case": case.ref, "stage": case.stage, "claimed": case.claimed.amount_text(), "currency": case.currency,
        "floor": floor.amount.amount_text(), "floor_percent": floor.percent,
        "offers": [{"id": o.id, "side": o.side, "amount": o.amount.amount_text(), "made_on": o.made_on.isoformat(),
                    "note": o.note, "state": o.state, "by": o.recorded_by, "version": o.version,
                    "at_or_above_floor": floor.allows(o.amount),
                    "consent": {"by": o.consent_by, "how": o.consent_how, "on": o.consent_on.isoformat()}
                    if o.consent_by else None} for o in offers_of(session, case.id)],
        "settlement": None if settlement is None else {
            "id": settlement.id, "amount": settlement.amount.amount_text(), "covers": settlement.covers,
            "agreed_on": settlement.agreed_on.isoformat(), "in_court": settlement.in_court,
            "instalments": [{"number": s.number, "amount": s.amount.amount_text(), "due_on": s.due_on.isoformat(),
                             "covered": s.covered.amount_text(), "state": s.state}
                            for s in instalment_states(session, settlement, today)]},
        "money": {label.lower().replace(" ", "_"): (amount.amount_text() if amount is not None else None)
                  for label, amount, _ in card.rows()},
    }
