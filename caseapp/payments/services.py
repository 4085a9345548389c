"""Incoming payments: a bank statement file imported once, each entry booked once, each credit
matched to a case (by its reference in the remittance text, else by amount and payer name, else
into the accountant's queue) and applied to the case's costs, then interest, then the claim
(§ 367(1) BGB); returns undo the booking; an overpayment can be refunded.

The whole file is one transaction: an entry that cannot be read refuses the file with one line
naming the entry, and nothing of it is written (the caller's unit of work rolls back)."""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from flask_babel import gettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from caseapp.cases import lifecycle, services as cases
from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.money import Money
from caseapp.ledger import services as ledger
from caseapp.ledger.services import credit, debit
from caseapp.payments import statements as reader
from caseapp.payments.models import (CREDIT, MATCHED, OTHER_DEBIT, RETURN, RETURNED, UNMATCHED, BankStatement,
                                     Payment, Refund, StatementImport)

# Ledger accounts (caseapp.ledger.models names them; we use the names, not the models).
BANK, SUSPENSE, COLLECTED, COSTS_ADVANCED, OVERPAID = "bank", "suspense", "collected", "costs_advanced", "overpaid"
BANK_FEES = "bank_fees"

# Stages in which a case expects money: a payment may match it by amount and payer name, and a
# case whose due amount is covered moves from them to PAID (when the state machine allows it).
PAYABLE_STAGES = (lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT, lifecycle.FINAL_DEMAND, lifecycle.COLLECTION,
                  lifecycle.LEGAL, lifecycle.COURT, lifecycle.ENFORCEMENT, lifecycle.SETTLED)

# A payer's name resembles a party's name when their similarity (see `name_similarity`) is at
# least this: "Bergwerk GmbH" ~ "BERGWERK G.M.B.H." (1.0), "Atelier Lune" ~ "Atelier Lunes" (0.96);
# "Bergwerk" vs "Bergwerk Media" (0.73) is not enough.
NAME_THRESHOLD = 0.85

# The case reference in a remittance text, tolerant of case and separators: "C-2026-000123",
# "c 2026 000123", "c2026000123", "C/2026/000123".
_REF = re.compile(r"(?<![A-Za-z0-9])c[\s\-_/.:]*(\d{4})[\s\-_/.:]*(\d{6})(?!\d)", re.IGNORECASE)
_LEGAL_FORMS = {"gmbh", "mbh", "ag", "kg", "ohg", "ug", "ek", "ev", "gbr", "co", "ltd", "limited", "llc", "inc",
                "plc", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "sl", "haftungsbeschrankt", "und", "and"}


# --- what is due on a case ------------------------------------------------------------------------

def claim_due(session: Session, case) -> Money:
    """What is still due on the case's claim. A settled case: the settlement's amount still to
    pay (settlements.due_on_case, which covers the costs too) less the costs still due (they are
    paid first, § 367(1) BGB); otherwise the claimed amount less what was paid towards it (the
    case's COLLECTED credits in the ledger: claim and interest parts, returns excluded)."""
    from caseapp.settlements import services as settlements

    settled = settlements.due_on_case(session, case.id)
    if settled is not None:
        return max(settled - costs_due(session, case), Money.zero(settled.currency))
    claimed = Money(case.claimed_minor, case.currency)
    paid = ledger.movements(session, COLLECTED, case.currency, case_id=case.id)[1]   # returned ones left out
    return max(claimed - paid, Money.zero(case.currency))


def costs_due(session: Session, case) -> Money:
    """Costs the firm advanced on the case and not yet recovered (COSTS_ADVANCED, a debit balance)."""
    due = ledger.balance(session, COSTS_ADVANCED, case.currency, case_id=case.id)
    return max(due, Money.zero(case.currency))


def interest_due(session: Session, case) -> Money:
    """Default interest: not computed yet (no rate or period is recorded), so nothing is due."""
    return Money.zero(case.currency)


@dataclass(frozen=True)
class Allocation:
    costs: Money
    interest: Money
    claim: Money
    excess: Money

    @property
    def total(self) -> Money:
        return self.costs + self.interest + self.claim + self.excess


def allocate(amount: Money, *, costs: Money, interest: Money, claim: Money) -> Allocation:
    """§ 367(1) BGB: a payment that does not cover everything is applied first to the costs, then
    to the interest, then to the main claim; what is left is overpaid."""
    rest = amount
    parts = []
    for due in (costs, interest, claim):
        part = min(rest, max(due, Money.zero(amount.currency)))
        parts.append(part)
        rest = rest - part
    return Allocation(parts[0], parts[1], parts[2], rest)


def due_on(session: Session, case) -> Allocation:
    """What the case still owes, by kind (excess: nothing)."""
    return Allocation(costs_due(session, case), interest_due(session, case), claim_due(session, case),
                      Money.zero(case.currency))


# --- matching ---------------------------------------------------------------------------------------

def refs_in(text: str | None) -> list[str]:
    """Case references written in a remittance text, as C-YYYY-NNNNNN, in order."""
    return [f"C-{m.group(1)}-{m.group(2)}" for m in _REF.finditer(text or "")]


def normalized_name(name: str | None) -> str:
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"(?<=\b\w)\.(?=\w\b)", "", text)                     # g.m.b.h. -> gmbh
    tokens = [t for t in re.split(r"[^0-9a-z]+", text) if t and t not in _LEGAL_FORMS]
    return " ".join(tokens)


def name_similarity(a: str | None, b: str | None) -> float:
    """0..1: difflib's ratio of the names without accents, case, punctuation and legal forms."""
    x, y = normalized_name(a), normalized_name(b)
    if not x or not y:
        return 0.0
    return max(difflib.SequenceMatcher(None, x, y).ratio(),
               difflib.SequenceMatcher(None, " ".join(sorted(x.split())), " ".join(sorted(y.split()))).ratio())


def dues_by_case(session: Session, stages=None, *, amounts=None) -> dict[int, Allocation]:
    """`due_on` for every case in these stages (default: the payable ones) — or only for those
    owing one of these (currency, minor units) `amounts` — in a few queries whatever their number.
    A case with no costs advanced, no money received and no settlement owes its claim: those are
    found by their claimed amount in SQL; the others (the few the ledger or a settlement names) are
    computed as `due_on` does, for all of them at once. Ordered as `cases.amounts_in_stages`. Must
    answer exactly as `due_on` (tests compare them on every payable case, tests/payments)."""
    from caseapp.settlements import services as settlements

    stages = PAYABLE_STAGES if stages is None else stages
    touched = ledger.cases_with_entries((COLLECTED, COSTS_ADVANCED)).union(settlements.cases_with_settlement())
    exact = cases.amounts_in_stages(session, stages, ids=touched)
    ids = [row[0] for row in exact]
    computed = set(ids)
    plain = [row for row in cases.amounts_in_stages(session, stages, amounts=amounts) if row[0] not in computed]
    sums = ledger.sums_by_case(session, (COLLECTED, COSTS_ADVANCED), cases.ids_in_stages(stages, ids=touched))

    def costs(case_id: int, currency: str) -> int:          # balance of costs advanced
        return sums.get((case_id, currency, COSTS_ADVANCED), (0, 0))[0]

    def credits(account: str, case_id: int, currency: str) -> int:
        return sums.get((case_id, currency, account), (0, 0))[1]

    # In minor units (thousands of cases: no Money object for a figure nobody asks for), the
    # same steps as `due_on`: costs advanced, then the claim (a settlement's amount less what came in).
    settled = settlements.settlements_by_case(session, ids)
    found: dict[int, tuple[tuple, Allocation]] = {}
    for row in exact:
        case_id, currency = row[0], row[1]
        cost = max(costs(case_id, currency), 0)
        settlement = settled.get(case_id)
        if settlement is not None and settlement.currency != currency:   # refused when recorded; due_on would refuse too
            raise InvalidInput(f"cannot combine {settlement.currency} and {currency} amounts")
        if settlement is not None:        # claim_due's first branch (settlements.due_on_case)
            left = settlement.amount.minor - (credits(COLLECTED, case_id, currency) + credits(COSTS_ADVANCED, case_id, currency))
            claim = max(max(left, 0) - cost, 0)
        else:
            claim = max(row[2] - credits(COLLECTED, case_id, currency), 0)
        if amounts is None or (currency, cost + claim) in amounts:
            found[case_id] = (row, Allocation(Money(cost, currency), Money.zero(currency), Money(claim, currency),
                                              Money.zero(currency)))
    for row in plain:
        found[row[0]] = (row, Allocation(Money.zero(row[1]), Money.zero(row[1]), Money(row[2], row[1]),
                                         Money.zero(row[1])))
    order = {stage: i for i, stage in enumerate(stages)}
    return {case_id: owed for case_id, (row, owed) in
            sorted(found.items(), key=lambda item: (order[item[1][0][3]], item[0]))}


class _Candidates:
    """Open cases expecting money, by what they still owe (built once per import, kept current):
    what every payable case owes comes from `dues_by_case` (a few queries, not a few per case);
    the cases themselves are loaded only when an amount is asked for. `owed`: a cache of what
    cases owe by id that this fills (an import's, kept current as it applies payments); `due`:
    what a case owes after a change (by default `due_on`)."""

    def __init__(self, session: Session, due=None, owed: dict | None = None, amounts=None) -> None:
        self.session = session
        self.due = due or (lambda case: due_on(session, case))
        self.by_due: dict[tuple[str, int], dict[int, object]] = {}   # case id -> the case, once loaded
        self.due_of: dict[int, tuple[str, int]] = {}
        changed = set(owed or ())        # cases an import already applied money to: its figures are newer
        for case_id, allocation in dues_by_case(session, amounts=amounts).items():
            if case_id not in changed:
                if owed is not None:
                    owed[case_id] = allocation
                self._place(case_id, None, allocation)
        for case in cases.cases_by_id(session, changed).values():
            self.refresh(case)

    def _place(self, case_id: int, case, owed: Allocation) -> None:
        key = (owed.costs.currency, (owed.costs + owed.interest + owed.claim).minor)
        if key[1] > 0:
            self.by_due.setdefault(key, {})[case_id] = case
            self.due_of[case_id] = key

    def refresh(self, case) -> None:
        old = self.due_of.pop(case.id, None)
        if old is not None:
            self.by_due.get(old, {}).pop(case.id, None)
        if case.stage not in PAYABLE_STAGES:
            return
        self._place(case.id, case, self.due(case))

    def owing(self, amount: Money) -> list:
        """The cases owing exactly this amount, in the order they were found."""
        found = self.by_due.get((amount.currency, amount.minor), {})
        missing = [case_id for case_id, case in found.items() if case is None]
        if missing:
            loaded = cases.cases_by_id(self.session, missing)
            for case_id in missing:
                found[case_id] = loaded[case_id]
        return list(found.values())

    def find(self, amount: Money, payer: str | None):
        if not payer:
            return None
        alike = [case for case in self.owing(amount) if name_similarity(payer, case.party.name) >= NAME_THRESHOLD]
        return alike[0] if len(alike) == 1 else None


def match_case(session: Session, entry, candidates: "_Candidates | None" = None, known: dict | None = None):
    """(case, how) for a credit: by a case reference in its remittance text, else by amount and
    payer name (exactly one open case owing that amount whose party's name resembles the payer's),
    else (None, None). `known`: cases looked up before, by reference (None: not a case)."""
    known = {} if known is None else known
    for ref in refs_in(entry.remittance):
        if ref not in known:
            try:
                known[ref] = cases.get_case(session, ref)
            except NotFound:
                known[ref] = None
        if known[ref] is not None:
            return known[ref], "reference"
    if candidates is not None:
        case = candidates.find(entry.amount, entry.payer_name)
        if case is not None:
            return case, "amount_name"
    return None, None


# --- booking ----------------------------------------------------------------------------------------

def _case_lines(case, parts: Allocation) -> list:
    return [credit(COSTS_ADVANCED, parts.costs, case_id=case.id),
            credit(COLLECTED, parts.interest + parts.claim, case_id=case.id, client_id=case.client_id),
            credit(OVERPAID, parts.excess, case_id=case.id)]


def _applied_posting(payment_id: int, payer: str | None, remittance: str | None, booked_on: date, case,
                     amount: Money, parts: Allocation, *, from_suspense: bool) -> ledger.Posting:
    """The ledger transaction of a payment applied to a case: the bank (or suspense, for one
    assigned from the queue) to the case's costs, collected claim and overpaid."""
    return ledger.Posting("payment_applied" if from_suspense else "payment_received",
                          f"{case.ref}: {payer or 'payer unknown'}, {remittance or ''}".strip(), booked_on,
                          (debit(SUSPENSE if from_suspense else BANK, amount), *_case_lines(case, parts)),
                          case_id=case.id, client_id=case.client_id, source=f"payment {payment_id}")


def _unmatched_posting(payment_id: int, payer: str | None, remittance: str | None, booked_on: date,
                       amount: Money) -> ledger.Posting:
    return ledger.Posting("payment_received", f"Unmatched: {payer or 'payer unknown'}, {remittance or ''}".strip(),
                          booked_on, (debit(BANK, amount), credit(SUSPENSE, amount)), source=f"payment {payment_id}")


def _applied_event(payment_id: int, case_id: int, amount: Money, parts: Allocation, matched_by: str | None) -> dict:
    return {"action": "payment.applied", "subject_type": "payment", "subject_id": payment_id, "case_id": case_id,
            "details": {"amount": str(amount), "costs": str(parts.costs), "interest": str(parts.interest),
                        "claim": str(parts.claim), "overpaid": str(parts.excess), "matched_by": matched_by}}


def _apply(session: Session, actor: Actor, payment: Payment, case, *, today: date, from_suspense: bool):
    """Book `payment` to `case` (§ 367 order), and move the case to PAID when it is covered."""
    amount = Money(payment.amount_minor, payment.currency)
    if amount.currency != case.currency:
        raise InvalidInput(f"Payment {payment.id} is in {amount.currency}; {case.ref} is in {case.currency}: "
                           "book it by hand.")
    owed = due_on(session, case)
    parts = allocate(amount, costs=owed.costs, interest=owed.interest, claim=owed.claim)
    posting = _applied_posting(payment.id, payment.payer_name, payment.remittance, payment.booked_on, case, amount,
                               parts, from_suspense=from_suspense)
    [transaction_id] = ledger.post_many(session, actor, [posting])
    payment.case_id = case.id
    payment.status = MATCHED
    payment.costs_minor, payment.interest_minor = parts.costs.minor, parts.interest.minor
    payment.claim_minor, payment.excess_minor = parts.claim.minor, parts.excess.minor
    payment.allocation_transaction_id = transaction_id
    if not from_suspense:
        payment.receipt_transaction_id = transaction_id
    session.flush()
    audit.record_many(session, actor, [_applied_event(payment.id, case.id, amount, parts, payment.matched_by)])
    _paid_when_covered(session, actor, case, today=today)
    return parts


def _paid_when_covered(session: Session, actor: Actor, case, *, today: date) -> None:
    owed = due_on(session, case)
    if (owed.costs + owed.interest + owed.claim).minor == 0 and \
            lifecycle.PAID in lifecycle.TRANSITIONS.get(case.stage, ()):
        cases.change_stage(session, actor, case, lifecycle.PAID, today=today,
                           note="Paid in full: the bank statement shows the due amount received.")


def _reopened_when_owed(session: Session, actor: Actor, case, *, today: date, why: str) -> None:
    """A paid case the bank took money back from owes again: back under its settlement if it has
    one, else to collection."""
    from caseapp.settlements import services as settlements

    if case.stage != lifecycle.PAID:
        return
    owed = due_on(session, case)
    if (owed.costs + owed.interest + owed.claim).minor == 0:
        return
    target = lifecycle.SETTLED if settlements.settlement_of(session, case.id) is not None else lifecycle.COLLECTION
    cases.change_stage(session, actor, case, target, today=today,
                       note=f"Owed again: {why}; {owed.costs + owed.interest + owed.claim} is due.")


@dataclass
class ImportResult:
    file: str
    format: str
    sha256: str
    import_id: int | None = None
    duplicate_file: bool = False
    statements: list[dict] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)

    def count(self, result: str) -> int:
        return sum(1 for row in self.rows if row["result"] == result)

    def as_dict(self) -> dict:
        return {"file": self.file, "format": self.format, "sha256": self.sha256, "import": self.import_id,
                "duplicate_file": self.duplicate_file, "statements": self.statements,
                "entries": len(self.rows), "matched": self.count("matched"), "unmatched": self.count("unmatched"),
                "returns": self.count("return"), "other_debits": self.count("other_debit"),
                "duplicates": self.count("duplicate"), "errors": 0, "results": self.rows}


def import_statement(session: Session, store, actor: Actor, data: bytes, *, filename: str,
                     today: date) -> ImportResult:
    """Import a bank statement file (camt.053 or the CSV layout), all or nothing. A file imported
    before books nothing (every entry is reported as a duplicate); an entry already booked from
    another file (same bank reference) is a duplicate and not booked again."""
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    parsed = reader.read_file(data, filename)        # refuses a bad file before anything is written
    result = ImportResult(file=filename, format=parsed.format, sha256=sha)
    if session.scalar(select(StatementImport.id).where(StatementImport.sha256 == sha)) is not None:
        result.duplicate_file = True
        result.rows = [{"entry": e.where, "reference": e.reference, "result": "duplicate"} for e in parsed.entries]
        return result
    store.put(data)
    record = StatementImport(sha256=sha, filename=filename[:255] or "statement", format=parsed.format,
                             imported_by=actor.name)
    session.add(record)
    session.flush()
    result.import_id = record.id
    statement_rows: dict[int, BankStatement] = {}
    for statement in parsed.statements:
        row = session.scalar(select(BankStatement).where(BankStatement.account == statement.account,
                                                         BankStatement.statement_ref == statement.ref))
        if row is None:
            row = BankStatement(import_id=record.id, statement_ref=statement.ref[:35], account=statement.account[:34],
                                currency=statement.currency,
                                opening_minor=statement.opening.minor if statement.opening else None,
                                closing_minor=statement.closing.minor if statement.closing else None,
                                closing_on=statement.closing_on)
            session.add(row)
            session.flush()
        statement_rows[id(statement)] = row
        result.statements.append({"id": statement.ref, "account": statement.account,
                                  "opening": statement.opening.amount_text() if statement.opening else None,
                                  "closing": statement.closing.amount_text() if statement.closing else None,
                                  "closing_on": statement.closing_on.isoformat() if statement.closing_on else None,
                                  "currency": statement.currency})
    known = _known_references(session, [e.reference for e in parsed.entries])
    book = _Booking(session, actor, today)
    candidates: _Candidates | None = None
    credit_amounts = {(e.amount.currency, e.amount.minor) for e in parsed.entries if e.direction == CREDIT}
    for entry in parsed.entries:
        if entry.reference in known:
            result.rows.append({"entry": entry.where, "reference": entry.reference, "result": "duplicate"})
            continue
        known.add(entry.reference)
        values = {"import_id": record.id,
                  "statement_id": statement_rows[id(entry.statement)].id if entry.statement else None,
                  "bank_reference": entry.reference[:100], "end_to_end_id": entry.end_to_end_id or None,
                  "booked_on": entry.booked_on, "value_on": entry.value_on, "amount_minor": entry.amount.minor,
                  "currency": entry.amount.currency, "direction": entry.direction, "payer_name": entry.payer_name,
                  "payer_iban": entry.payer_iban, "remittance": entry.remittance,
                  "return_reason": entry.return_reason, "status": UNMATCHED, "case_id": None, "matched_by": None,
                  "costs_minor": 0, "interest_minor": 0, "claim_minor": 0, "excess_minor": 0, "version": 1}
        row = {"entry": entry.where, "reference": entry.reference, "payment": None,
               "amount": entry.amount.amount_text(), "currency": entry.amount.currency, "direction": entry.direction}
        if entry.direction == CREDIT:
            # built at the first credit whose text names no case (an unknown reference names none)
            if candidates is None and match_case(session, entry, None, book.cases)[0] is None:
                candidates = _Candidates(session, book.due, book.owed, amounts=credit_amounts)
            case, how = match_case(session, entry, candidates, book.cases)
            if case is not None and case.currency == entry.amount.currency:
                parts = book.matched(values, row, case, how)
                if candidates is not None:
                    candidates.refresh(case)
                row.update(result="matched", case=case.ref, matched_by=how, costs=parts.costs.amount_text(),
                           interest=parts.interest.amount_text(), claim=parts.claim.amount_text(),
                           overpaid=parts.excess.amount_text())
            else:
                book.unmatched(values, row)
                row.update(result="unmatched")
        elif entry.reversal or entry.return_reason:
            book.flush()        # the credit it returns may be one of this file's, written first
            payment = Payment(**values)
            session.add(payment)
            session.flush()
            row["payment"] = payment.id
            original = _book_return(session, actor, payment, today=today)
            if original is not None and original.case_id:
                book.forget(original.case_id)
                if candidates is not None:
                    candidates.refresh(_case_by_id(session, original.case_id))
            row.update(result="return", returns=original.id if original else None,
                       reason=entry.return_reason)
        else:
            values["status"] = OTHER_DEBIT
            book.other(values, row)
            row.update(result="other_debit")
        result.rows.append(row)
    book.flush()
    record.entries = len(parsed.entries)
    record.duplicates = result.count("duplicate")
    record.matched = result.count("matched")
    record.unmatched = result.count("unmatched")
    session.flush()
    audit.record(session, actor, "payment_import.imported", "payment_import", record.id,
                 details={"file": filename, "sha256": sha, "format": parsed.format,
                          "statements": [s["id"] for s in result.statements], "entries": len(parsed.entries),
                          "matched": record.matched, "unmatched": record.unmatched,
                          "duplicates": record.duplicates})
    return result


class _Booking:
    """An import's bookings, written in bulk: the payments (one INSERT of many rows), their ledger
    transactions (ledger.post_many), the links between them and the audit events; then the cases
    the money covered move to PAID. What each case owes is computed once (`due`) and kept
    current in memory as payments are applied, so each entry costs no query of its own; a return
    writes what is pending first and forgets the case it touched (read again when next needed)."""

    def __init__(self, session: Session, actor: Actor, today: date) -> None:
        self.session, self.actor, self.today = session, actor, today
        self.owed: dict[int, Allocation] = {}
        self.cases: dict[str, object] = {}          # by reference, for match_case
        self.pending: list[tuple[dict, dict, object, Allocation | None]] = []
        self.covered: dict[int, object] = {}

    def due(self, case) -> Allocation:
        if case.id not in self.owed:
            self.owed[case.id] = due_on(self.session, case)
        return self.owed[case.id]

    def forget(self, case_id: int) -> None:
        self.owed.pop(case_id, None)

    def matched(self, values: dict, row: dict, case, how: str) -> Allocation:
        amount = Money(values["amount_minor"], values["currency"])
        owed = self.due(case)
        parts = allocate(amount, costs=owed.costs, interest=owed.interest, claim=owed.claim)
        left = Allocation(owed.costs - parts.costs, owed.interest - parts.interest, owed.claim - parts.claim,
                          Money.zero(amount.currency))
        self.owed[case.id] = left
        values.update(status=MATCHED, case_id=case.id, matched_by=how, costs_minor=parts.costs.minor,
                      interest_minor=parts.interest.minor, claim_minor=parts.claim.minor,
                      excess_minor=parts.excess.minor)
        self.pending.append((values, row, case, parts))
        if (left.costs + left.interest + left.claim).minor == 0:
            self.covered[case.id] = case
        return parts

    def unmatched(self, values: dict, row: dict) -> None:
        self.pending.append((values, row, None, None))

    def other(self, values: dict, row: dict) -> None:
        self.pending.append((values, row, None, None))

    def flush(self) -> None:
        if not self.pending:
            return
        from sqlalchemy import bindparam

        from caseapp.core import bulk

        session = self.session
        table = Payment.__table__
        ids = bulk.insert_rows(session, table, [values for values, _, _, _ in self.pending], ids=True)
        postings, booked, events = [], [], []
        for payment_id, (values, row, case, parts) in zip(ids, self.pending):
            row["payment"] = payment_id
            amount = Money(values["amount_minor"], values["currency"])
            if values["status"] == MATCHED:
                postings.append(_applied_posting(payment_id, values["payer_name"], values["remittance"],
                                                 values["booked_on"], case, amount, parts, from_suspense=False))
                events.append(_applied_event(payment_id, case.id, amount, parts, values["matched_by"]))
            elif values["status"] == UNMATCHED:
                postings.append(_unmatched_posting(payment_id, values["payer_name"], values["remittance"],
                                                   values["booked_on"], amount))
            else:
                continue
            booked.append((payment_id, values["status"]))
        transaction_ids = ledger.post_many(session, self.actor, postings)
        if booked:                     # (a file of other debits only books nothing here)
            session.execute(table.update().where(table.c.id == bindparam("payment_id"))
                            .values(receipt_transaction_id=bindparam("receipt"),
                                    allocation_transaction_id=bindparam("allocation")),
                            [{"payment_id": payment_id, "receipt": tid,
                              "allocation": tid if status == MATCHED else None}
                             for (payment_id, status), tid in zip(booked, transaction_ids)])
        audit.record_many(session, self.actor, events)
        self.pending.clear()
        for case in self.covered.values():
            _paid_when_covered(session, self.actor, case, today=self.today)
        self.covered.clear()


def _case_by_id(session: Session, case_id: int):
    return cases.get_case(session, cases.refs_by_id(session, [case_id])[case_id])


def _known_references(session: Session, references: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(references), 500):
        chunk = references[start:start + 500]
        known.update(session.scalars(select(Payment.bank_reference).where(Payment.bank_reference.in_(chunk))))
    return known


def _original_of(session: Session, payment: Payment) -> Payment | None:
    """The credit a return takes back: the same end-to-end id, else the same payer account and
    amount (the latest not returned yet)."""
    query = select(Payment).where(Payment.direction == CREDIT, Payment.status.in_((MATCHED, UNMATCHED)),
                                  Payment.amount_minor == payment.amount_minor,
                                  Payment.currency == payment.currency).order_by(Payment.booked_on.desc(),
                                                                                Payment.id.desc())
    if payment.end_to_end_id:
        found = session.scalars(query.where(Payment.end_to_end_id == payment.end_to_end_id)).first()
        if found is not None:
            return found
    if payment.payer_iban:
        return session.scalars(query.where(Payment.payer_iban == payment.payer_iban)).first()
    return None


def _book_return(session: Session, actor: Actor, payment: Payment, *, today: date) -> Payment | None:
    """A return or reversal: the original credit's booking is reversed (the mirror entries), so
    the case owes again what the payment had covered. An original we cannot find: the money
    left the bank; it is booked against suspense for the accountant to clear."""
    payment.status = RETURN
    original = _original_of(session, payment)
    reason = f"returned by the bank ({payment.return_reason or 'reversal'}), payment {payment.id}"
    if original is None:
        amount = Money(payment.amount_minor, payment.currency)
        payment.receipt_transaction_id = ledger.post(
            session, actor, kind="payment_returned", description=f"Return without its original: {reason}",
            booked_on=payment.booked_on, lines=[debit(SUSPENSE, amount), credit(BANK, amount)],
            source=f"payment {payment.id}").id
        audit.record(session, actor, "payment.returned", "payment", payment.id,
                     details={"original": None, "reason": payment.return_reason})
        return None
    if original.allocation_transaction_id and original.allocation_transaction_id != original.receipt_transaction_id:
        ledger.reverse(session, actor, original.allocation_transaction_id, reason=reason, booked_on=payment.booked_on)
    payment.receipt_transaction_id = ledger.reverse(session, actor, original.receipt_transaction_id, reason=reason,
                                                    booked_on=payment.booked_on).id
    payment.returns_payment_id = original.id
    payment.case_id = original.case_id
    previous = original.status
    original.status = RETURNED
    session.flush()
    if original.case_id:
        _reopened_when_owed(session, actor, _case_by_id(session, original.case_id), today=today,
                            why=f"{Money(original.amount_minor, original.currency)} returned by the bank "
                                f"({payment.return_reason or 'reversal'})")
    audit.record(session, actor, "payment.returned", "payment", original.id, case_id=original.case_id,
                 from_state=previous, to_state=RETURNED,
                 reason=payment.return_reason, details={"return_payment": payment.id,
                                                        "amount": str(Money(original.amount_minor,
                                                                            original.currency))})
    return original


# --- the accountant's queue -------------------------------------------------------------------------

def get_payment(session: Session, payment_id: int) -> Payment:
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(f"There is no payment {payment_id}.")
    return payment


def unmatched_payments(session: Session, *, limit: int = 200) -> list[Payment]:
    return list(session.scalars(select(Payment).where(Payment.status == UNMATCHED, Payment.direction == CREDIT)
                                .order_by(Payment.booked_on, Payment.id).limit(limit)))


def unmatched_summary(session: Session) -> tuple[int, dict[str, Money]]:
    rows = session.execute(select(Payment.currency, func.count(), func.sum(Payment.amount_minor))
                           .where(Payment.status == UNMATCHED, Payment.direction == CREDIT)
                           .group_by(Payment.currency)).all()
    return sum(r[1] for r in rows), {r[0]: Money(int(r[2]), r[0]) for r in rows}


def normalise_ref(text: str) -> str:
    """'c 2026 000123', 'C2026000123' -> 'C-2026-000123' (what a person types in the queue)."""
    found = refs_in(text)
    if not found:
        raise InvalidInput(gettext("Case: %(text)s is not a case reference; write it like C-2026-000123.",
                                   text=repr(str(text)[:30])))
    return found[0]


def suggestions(session: Session, payments: list[Payment]) -> dict[int, list]:
    """For each unmatched payment, open cases that owe exactly its amount (best name first)."""
    if not payments:
        return {}
    candidates = _Candidates(session, amounts={(p.currency, p.amount_minor) for p in payments})
    out = {}
    for payment in payments:
        alike = candidates.owing(Money(payment.amount_minor, payment.currency))
        alike.sort(key=lambda case: -name_similarity(payment.payer_name, case.party.name))
        out[payment.id] = alike[:5]
    return out


def assign(session: Session, actor: Actor, payment_id: int, case_ref: str, *, today: date,
           seen_version: int | None = None) -> Allocation:
    """Assign an unmatched payment to a case: out of suspense, applied as any matched payment."""
    from caseapp.core.records import check_version

    payment = get_payment(session, payment_id)
    check_version(f"Payment {payment.id}", payment, seen_version)
    if payment.status != UNMATCHED or payment.direction != CREDIT:
        raise InvalidInput(f"Payment {payment.id} is {payment.status}, not waiting in the unmatched queue.")
    case = cases.get_case(session, normalise_ref(case_ref))
    payment.matched_by = "manual"
    parts = _apply(session, actor, payment, case, today=today, from_suspense=True)
    audit.record(session, actor, "payment.assigned", "payment", payment.id, case_id=case.id,
                 from_state=UNMATCHED, to_state=MATCHED, details={"case": case.ref})
    return parts


def case_payments(session: Session, case_id: int) -> list[Payment]:
    return list(session.scalars(select(Payment).where(Payment.case_id == case_id)
                                .order_by(Payment.booked_on, Payment.id)))


def case_refunds(session: Session, case_id: int) -> list[Refund]:
    return list(session.scalars(select(Refund).where(Refund.case_id == case_id).order_by(Refund.id)))


def overpaid(session: Session, case) -> Money:
    """What the case's payers paid too much and was not refunded yet (OVERPAID is a credit)."""
    return -ledger.balance(session, OVERPAID, case.currency, case_id=case.id)


@dataclass(frozen=True)
class CaseMoney:
    claimed: Money
    paid: Money
    due: Allocation
    overpaid: Money

    @property
    def outstanding(self) -> Money:
        return self.due.costs + self.due.interest + self.due.claim


def case_money(session: Session, case) -> CaseMoney:
    paid = session.scalar(select(func.coalesce(func.sum(Payment.amount_minor), 0)).where(
        Payment.case_id == case.id, Payment.status == MATCHED, Payment.currency == case.currency))
    return CaseMoney(Money(case.claimed_minor, case.currency), Money(int(paid), case.currency),
                     due_on(session, case), overpaid(session, case))


# --- refunds ----------------------------------------------------------------------------------------

def refund(session: Session, actor: Actor, case_ref: str, *, today: date, amount: Money | None = None) -> Refund:
    """Send back what a case's payer paid too much: debit OVERPAID, credit BANK, and a debit
    transfer to make (recorded; the payer's name and IBAN from the case's latest payment)."""
    case = cases.get_case(session, case_ref)
    available = overpaid(session, case)
    amount = available if amount is None else amount
    if amount.currency != case.currency:
        raise InvalidInput(gettext("Amount: %(case)s is in %(currency)s, not %(other)s.", case=case.ref,
                                   currency=case.currency, other=amount.currency))
    if amount.minor <= 0 or available.minor <= 0:
        raise InvalidInput(gettext("%(case)s has nothing overpaid to refund.", case=case.ref))
    if amount > available:
        raise InvalidInput(gettext("Amount: %(case)s has %(available)s overpaid; %(amount)s is more than that.",
                                   case=case.ref, available=available, amount=amount))
    payer = session.scalars(select(Payment).where(Payment.case_id == case.id, Payment.status == MATCHED,
                                                  Payment.excess_minor > 0)
                            .order_by(Payment.booked_on.desc(), Payment.id.desc())).first()
    transaction = ledger.post(session, actor, kind="refund", description=f"{case.ref}: overpayment refunded",
                              booked_on=today, lines=[debit(OVERPAID, amount, case_id=case.id), credit(BANK, amount)],
                              case_id=case.id, client_id=case.client_id, source=f"refund {case.ref}")
    row = Refund(case_id=case.id, amount_minor=amount.minor, currency=amount.currency,
                 payee_name=payer.payer_name if payer else None, payee_iban=payer.payer_iban if payer else None,
                 remittance=f"Refund of overpayment {case.ref}", requested_by=actor.name,
                 transaction_id=transaction.id)
    session.add(row)
    session.flush()
    audit.record(session, actor, "payment.refunded", "payment_refund", row.id, case_id=case.id,
                 details={"amount": str(amount), "payee": row.payee_name, "iban": row.payee_iban})
    return row


@dataclass(frozen=True)
class RefundTransfer:
    """A refund as the bank and the ledger see it at a day: the ledger credited the bank when the
    refund was recorded (`booked_on`); the bank pays it when the accountant makes the transfer
    (`shown_on`: the statement's debit that pays it, None: not yet)."""
    refund_id: int
    case_ref: str
    amount: Money
    booked_on: date
    shown_on: date | None
    payment_id: int | None           # the statement's debit

    @property
    def in_transit(self) -> Money:
        """Booked, not yet on the statement: the bank still holds it (- the amount)."""
        return self.amount * -1 if self.shown_on is None else Money.zero(self.amount.currency)


def refund_transfers(session: Session, until: date, debits: list) -> list[RefundTransfer]:
    """The refunds booked up to `until`, each with the statement debit that paid it, if any: a
    debit of `debits` (StatementLine) of the same amount whose text names the case (each debit
    pays one refund, the oldest refund first)."""
    rows = list(session.scalars(select(Refund).order_by(Refund.id)))
    if not rows:
        return []
    days = ledger.booked_on(session, [r.transaction_id for r in rows])
    refs = cases.refs_by_id(session, [r.case_id for r in rows])
    free = [line for line in debits if not line.booked]
    out = []
    for refund in rows:
        day = days.get(refund.transaction_id)
        if day is None or day > until:
            continue
        amount, ref = Money(refund.amount_minor, refund.currency), refs[refund.case_id]
        paid = next((line for line in free if line.amount == amount and ref in refs_in(line.remittance)), None)
        if paid is not None:
            free.remove(paid)
        out.append(RefundTransfer(refund.id, ref, amount, day, paid.booked_on if paid else None,
                                  paid.payment_id if paid else None))
    return out


def refunds_to_transfer(session: Session) -> list[Refund]:
    return list(session.scalars(select(Refund).where(Refund.state == "to_transfer").order_by(Refund.id)))


# --- for the three-way reconciliation ---------------------------------------------------------------

def _of_account(query, account: str | None):
    """Only what the statements of `account` (an IBAN) hold; entries of a CSV file (no statement) count."""
    if not account:
        return query
    iban = account.replace(" ", "").upper()
    return query.outerjoin(BankStatement, Payment.statement_id == BankStatement.id).where(
        or_(Payment.statement_id.is_(None), func.upper(func.replace(BankStatement.account, " ", "")) == iban))


def bank_statement_balance(session: Session, until: date, account: str | None = None) -> Money | None:
    """The closing balance of the latest statement (of `account`, if given) booked up to `until`
    (None: no statement yet)."""
    query = (select(BankStatement.closing_minor, BankStatement.currency)
             .where(BankStatement.closing_on <= until, BankStatement.closing_minor.is_not(None))
             .order_by(BankStatement.closing_on.desc(), BankStatement.id.desc()).limit(1))
    if account:
        query = query.where(func.upper(func.replace(BankStatement.account, " ", ""))
                            == account.replace(" ", "").upper())
    row = session.execute(query).first()
    return None if row is None else Money(int(row[0]), row[1])


@dataclass(frozen=True)
class StatementLine:
    """A debit on a bank statement that is not a return (a transfer, a bank fee), as the
    reconciliation lists it; `booked`: the ledger has a transaction for it (`book_debit`)."""
    payment_id: int
    booked_on: date
    amount: Money                    # positive: money out of the account
    counterparty: str | None
    iban: str | None
    remittance: str | None
    reference: str
    end_to_end_id: str | None
    booked: bool

    def as_data(self) -> dict:
        return {"payment": self.payment_id, "booked_on": self.booked_on.isoformat(),
                "amount": (self.amount * -1).amount_text(), "counterparty": self.counterparty, "iban": self.iban,
                "remittance": self.remittance, "reference": self.reference, "end_to_end_id": self.end_to_end_id,
                "booked": self.booked}


def other_debits(session: Session, until: date, *, currency: str = "EUR",
                 account: str | None = None) -> list[StatementLine]:
    """The statements' debits that are not returns (OTHER_DEBIT: payout transfers, bank fees,
    anything else the bank took) booked up to `until`, oldest first."""
    query = _of_account(select(Payment).where(Payment.direction == "debit", Payment.status == OTHER_DEBIT,
                                              Payment.currency == currency, Payment.booked_on <= until)
                        .order_by(Payment.booked_on, Payment.id), account)
    return [StatementLine(p.id, p.booked_on, Money(p.amount_minor, p.currency), p.payer_name, p.payer_iban,
                          p.remittance, p.bank_reference, p.end_to_end_id, p.receipt_transaction_id is not None)
            for p in session.scalars(query)]


def first_statement(session: Session, *, account: str | None = None) -> tuple[Money, date] | None:
    """The opening balance of the earliest imported statement (of `account`) and its first day
    (its first entry's, else its closing day): where the bank's history in caseapp starts."""
    query = (select(BankStatement).where(BankStatement.opening_minor.is_not(None),
                                         BankStatement.closing_on.is_not(None))
             .order_by(BankStatement.closing_on, BankStatement.id).limit(1))
    if account:
        query = query.where(func.upper(func.replace(BankStatement.account, " ", ""))
                            == account.replace(" ", "").upper())
    row = session.scalars(query).first()
    if row is None:
        return None
    first_day = session.scalar(select(func.min(Payment.booked_on)).where(Payment.statement_id == row.id))
    return Money(row.opening_minor, row.currency), min(first_day or row.closing_on, row.closing_on)


# What a debit of the statement nobody booked can be, booked by the accountant:
# kind -> (the account debited, the ledger transaction's kind, in words)
DEBIT_KINDS = {
    "fee": ("bank_fees", "bank_fee", "a bank fee"),
    "office": ("office_transfers", "office_transfer", "the firm's own money moved to its office account"),
}


def book_debit(session: Session, actor: Actor, payment_id: int, kind: str, seen_version: int | None = None):
    """Book a debit of the statement that nobody booked (an other debit the reconciliation lists):
    a bank fee (BANK_FEES: the firm bears it, never a client) or the firm's own money — commission,
    VAT — moved to its office account (OFFICE_TRANSFERS), credit BANK, on the statement's day.
    Once per debit; audited."""
    from caseapp.core.records import check_version

    if kind not in DEBIT_KINDS:
        raise InvalidInput(f"As: {str(kind)[:20]!r} is not what a debit is booked as; use fee or office.")
    account, transaction_kind, words = DEBIT_KINDS[kind]
    payment = get_payment(session, payment_id)
    check_version(f"Payment {payment.id}", payment, seen_version)
    if payment.direction != "debit" or payment.status != OTHER_DEBIT:
        raise InvalidInput(f"Payment {payment.id} is a {payment.direction} ({payment.status}): only a debit of the "
                           f"statement that is not a return is booked as {words}.")
    if payment.receipt_transaction_id is not None:
        raise InvalidInput(f"Payment {payment.id} is booked already (ledger transaction "
                           f"{payment.receipt_transaction_id}).")
    amount = Money(payment.amount_minor, payment.currency)
    transaction = ledger.post(session, actor, kind=transaction_kind, booked_on=payment.booked_on,
                              description=f"{words[0].upper()}{words[1:]}: {payment.payer_name or 'the bank'}, "
                                          f"{payment.remittance or ''}".strip().rstrip(","),
                              lines=[debit(account, amount), credit(BANK, amount)], source=f"payment {payment.id}")
    payment.receipt_transaction_id = transaction.id
    session.flush()
    audit.record(session, actor, "payment.debit_booked", "payment", payment.id,
                 details={"as": kind, "amount": str(amount), "booked_on": payment.booked_on.isoformat(),
                          "transaction": transaction.id})
    return transaction


def imports(session: Session, *, limit: int = 20) -> Iterable[StatementImport]:
    return session.scalars(select(StatementImport).order_by(StatementImport.id.desc()).limit(limit))
