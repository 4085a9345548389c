"""Payout batches: the split of what was collected between each client and the firm, posted to
the ledger, approved by a second accountant, exported as one SEPA file and a statement per
client, confirmed when the bank shows the transfers.

The rules, in one place:

- A *collection* is a COLLECTED credit entry of the ledger (a payment matched to a case; per
  case and client). `draft` takes every collection booked up to a day that no batch took: a
  PayoutItem per collection, UNIQUE on the ledger entry, so the database itself refuses to pay
  a collection out twice (two accountants drafting at the same moment: the second waits for the
  first and is refused). A collection whose payment was reversed is not taken; a case whose
  COLLECTED balance is below what its collections say (a return booked as a debit) waits and is
  named, for the accountant to look at.
- The split of each collection: the contract the case was opened under
  (`clients.contracts.case_terms`) gives the client's share out of court and in court; "in
  court" is the case's stage with the lawyer, in court or in enforcement (until settlements
  record where a case was settled). Largest remainder (`Money.allocate`): no cent is lost.
- VAT on the firm's commission by the client's tax status (`clients.tax.vat_treatment`):
  19% German VAT (§ 12(1) UStG) for private persons, small businesses and businesses in
  Germany or in the EU without a VAT ID; none for EU businesses with a VAT ID (reverse charge,
  Art. 196 VAT Directive 2006/112/EC) and clients outside the EU (§ 3a(2) UStG). The VAT is
  computed on the client's commission in the batch (one credit note, one VAT figure, rounded half
  up) and deducted from the client's share: client net + commission + VAT = collected.
- The minimum payout (the client's current contract): a client whose net in the batch is below
  it is left out of the batch; its collections stay in COLLECTED, untouched, and the next batch
  takes them with the new ones (carry-forward by waiting: nothing is split twice or owed on two
  accounts; the split is computed when the money goes).
- The ledger, per collection: debit COLLECTED (case, client); credit REVENUE (commission),
  VAT_PAYABLE (VAT), CLIENT_PAYABLE (the client's net, per client). Confirmed: debit
  CLIENT_PAYABLE per client, credit BANK.
- Four eyes: the accountant who drafted a batch cannot approve it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Mapping

from flask_babel import gettext, ngettext
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from caseapp.cases import services as cases
from caseapp.clients import banking, contracts, tax
from caseapp.clients import services as clients
from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.models import utcnow
from caseapp.core.money import Money
from caseapp.core.records import check_version
from caseapp.ledger import services as ledger
from caseapp.ledger.services import credit, debit
from caseapp.settlements import services as settlements
from caseapp.payouts.models import (APPROVED, CONFIRMED, DRAFT, EXPORTED, MANUAL, SEPA, PayoutBatch, PayoutItem,
                                    PayoutLine)

CURRENCY = "EUR"
COLLECTED, CLIENT_PAYABLE, REVENUE, VAT_PAYABLE, BANK = (
    "collected", "client_payable", "revenue", "vat_payable", "bank")
FULL_BP = 10000
VAT_CODE_WORDS = tax.VAT_CODE_WORDS       # (the batch page: views read it here, not from clients)


def vat_on(commission: int, bp: int) -> int:
    """VAT in minor units on a commission at `bp` basis points, rounded half up."""
    return (commission * bp + FULL_BP // 2) // FULL_BP


@dataclass
class Split:
    """One collection's split."""
    entry_id: int
    case_id: int
    case_ref: str
    client_id: int
    booked_on: date
    in_court: bool
    share_bp: int
    collected: int
    client_share: int
    commission: int
    vat: int = 0


@dataclass
class ClientPart:
    client_id: int
    name: str
    items: list[Split] = field(default_factory=list)
    vat_code: str = ""
    vat_basis: str = ""
    vat_bp: int = 0
    minimum: int = 0
    language: str = "en"

    @property
    def collected(self) -> int:
        return sum(i.collected for i in self.items)

    @property
    def client_share(self) -> int:
        return sum(i.client_share for i in self.items)

    @property
    def commission(self) -> int:
        return sum(i.commission for i in self.items)

    @property
    def vat(self) -> int:
        return sum(i.vat for i in self.items)

    @property
    def net(self) -> int:
        return self.client_share - self.vat


def split_collection(amount: Money, share_bp: int) -> tuple[Money, Money]:
    """(client's share, firm's commission) of a collection: largest remainder, to the cent."""
    client, firm = amount.allocate([share_bp, FULL_BP - share_bp])
    return client, firm


def apply_vat(part: ClientPart) -> None:
    """The VAT on the client's commission in the batch (one figure, rounded half up), spread over
    its collections by their commission (largest remainder) so that each item still adds up."""
    total = vat_on(part.commission, part.vat_bp)
    if not total:
        for item in part.items:
            item.vat = 0
        return
    # (VAT is due only on a commission: `total` is not zero, so neither is the sum of the weights.)
    shares = Money(total, CURRENCY).allocate([i.commission for i in part.items])
    for item, share in zip(part.items, shares):
        item.vat = share.minor


# --- what is open --------------------------------------------------------------------------

def _taken():
    return select(PayoutItem.ledger_entry_id)


def open_collections(session: Session, until: date) -> tuple[list, list[str]]:
    """The collections booked up to `until` that no batch took (rows of the ledger: id,
    client_id, case_id, amount_minor, booked_on), and the warnings about cases that wait."""
    rows = ledger.open_credits(session, COLLECTED, until=until, currency=CURRENCY, taken=_taken())
    warnings: list[str] = []
    by_case: dict[tuple[int, int], int] = {}
    for row in rows:
        by_case[(row.case_id, row.client_id)] = by_case.get((row.case_id, row.client_id), 0) - row.amount_minor
    held: set[tuple[int, int]] = set()
    if by_case:
        balances = ledger.balances_by_case(session, COLLECTED, currency=CURRENCY, until=until,
                                           case_ids=[case_id for case_id, _ in by_case])
        for (case_id, client_id), gathered in by_case.items():
            held_there = -balances.get((case_id, client_id), 0)
            if held_there < gathered:
                held.add((case_id, client_id))
                warnings.append(f"case {case_id}: {Money(gathered, CURRENCY)} collected but only "
                                f"{Money(held_there, CURRENCY)} held (a return or a correction?); its collections "
                                "wait until the ledger is checked")
    return [r for r in rows if (r.case_id, r.client_id) not in held], warnings


def compute(session: Session, until: date) -> tuple[list[ClientPart], list[ClientPart], list[str]]:
    """The batch `until` would make, without writing: (clients paid, clients under their
    minimum whose collections wait, warnings). A fixed number of queries however many
    collections: cases, their contracts and settlements, the clients and their current
    contracts are each read at once."""
    rows, warnings = open_collections(session, until)
    case_map = cases.cases_by_id(session, {r.case_id for r in rows})
    terms_of = contracts.case_terms_by_case(session, list(case_map.values()))
    settled_of = settlements.settlements_by_case(session, case_map)
    parts: dict[int, ClientPart] = {}
    for row in rows:
        case = case_map[row.case_id]
        terms = terms_of[case.id]
        # In court or not at the time of the settlement (settlements); without one, the case's stage.
        settled = settled_of.get(case.id)
        in_court = settled.in_court if settled is not None else cases.is_in_court(case)
        share_bp = terms.share_in_court_bp if in_court else terms.share_out_of_court_bp
        amount = Money(-row.amount_minor, CURRENCY)
        client_share, commission = split_collection(amount, share_bp)
        part = parts.get(row.client_id)
        if part is None:
            part = parts[row.client_id] = ClientPart(row.client_id, "")
        part.items.append(Split(row.id, row.case_id, case.ref, row.client_id, row.booked_on, in_court, share_bp,
                                amount.minor, client_share.minor, commission.minor))
    client_map = clients.clients_by_id(session, parts)
    current = contracts.current_contracts(session, parts)
    paid, waiting = [], []
    for part in parts.values():
        client = client_map.get(part.client_id) or clients.get_client(session, part.client_id)   # (NotFound)
        part.name, part.language = client.name, client.language or "en"
        treatment = tax.vat_treatment(client)
        part.vat_code, part.vat_basis, part.vat_bp = treatment.code, treatment.basis, treatment.commission_vat_bp
        apply_vat(part)
        if part.net < 0:
            raise InvalidInput(f"Client {client.name}: the VAT on the commission ({Money(part.vat, CURRENCY)}) is "
                               f"more than the client's share ({Money(part.client_share, CURRENCY)}); check the "
                               "contract's shares.")
        part.minimum = current[part.client_id].minimum_payout_minor
        (paid if part.net >= part.minimum else waiting).append(part)
    paid.sort(key=lambda p: (p.name.lower(), p.client_id))
    waiting.sort(key=lambda p: (p.name.lower(), p.client_id))
    return paid, waiting, warnings


# --- the batch's life ---------------------------------------------------------------------

def get_batch(session: Session, batch_id: int) -> PayoutBatch:
    batch = session.get(PayoutBatch, batch_id)
    if batch is None:
        raise NotFound(f"There is no payout batch {batch_id}; `caseapp payouts run` drafts one.")
    return batch


def batches(session: Session, limit: int = 20) -> list[PayoutBatch]:
    return list(session.scalars(select(PayoutBatch).order_by(PayoutBatch.id.desc()).limit(limit)))


def open_batch(session: Session) -> PayoutBatch | None:
    """The newest batch not yet confirmed (the accountant's home shows it)."""
    return session.scalars(select(PayoutBatch).where(PayoutBatch.state != CONFIRMED)
                           .order_by(PayoutBatch.id.desc()).limit(1)).first()


def _account(account) -> tuple[str, str | None, str | None, str | None, str | None]:
    """(method, reason, holder, IBAN, BIC) of a client's payout to its confirmed `account` (or
    None): SEPA if that is a valid account in the SEPA zone (schwifty), otherwise by hand,
    saying why."""
    from schwifty import BIC, IBAN
    from schwifty.exceptions import SchwiftyException

    if account is None:
        return MANUAL, "no confirmed bank account", None, None, None
    try:
        iban = IBAN(account.iban)
        if not iban.in_sepa_zone:
            return MANUAL, f"the account is in {iban.country_code}, outside the SEPA zone", account.holder, \
                account.iban, account.bic
        bic = BIC(account.bic).compact if account.bic else (iban.bic.compact if iban.bic else None)
    except (SchwiftyException, ValueError) as error:
        return MANUAL, f"the account is not valid ({error})", account.holder, account.iban, account.bic
    return SEPA, None, account.holder, iban.compact, bic


def draft(session: Session, actor: Actor, until: date) -> PayoutBatch:
    """Draft a batch of every open collection booked up to `until`; post the split. Audited.
    Refused when there is nothing to pay (running it again pays nothing new). The lines and
    items are written with bulk INSERTs (a batch has thousands of items); the items' UNIQUE
    ledger entry still refuses a collection another batch took, even a moment ago."""
    if until > date.today():
        raise InvalidInput(f"--until: {until.isoformat()} is in the future; collections are paid out up to today.")
    paid, waiting, warnings = compute(session, until)
    if not paid:
        if waiting:
            raise InvalidInput(ngettext(
                # (English says "client(s)" in both forms, as it always did; German gives each its own)
                "Nothing to pay out up to %(day)s: every collection is in a batch already; %(num)d client(s) are "
                "under their minimum payout and wait.",
                "Nothing to pay out up to %(day)s: every collection is in a batch already; %(num)d client(s) are "
                "under their minimum payout and wait.", len(waiting), day=until.isoformat()))
        raise InvalidInput(gettext("Nothing to pay out up to %(day)s: every collection is in a batch already.",
                                   day=until.isoformat()))
    batch = PayoutBatch(state=DRAFT, until=until, currency=CURRENCY, drafted_by_id=actor.user_id,
                        drafted_by=actor.name, drafted_at=utcnow(),
                        collected_minor=sum(p.collected for p in paid), to_clients_minor=sum(p.net for p in paid),
                        commission_minor=sum(p.commission for p in paid), vat_minor=sum(p.vat for p in paid))
    session.add(batch)
    session.flush()
    accounts = banking.payout_accounts(session, [p.client_id for p in paid])
    line_rows = []
    for part in paid:
        method, reason, holder, iban, bic = _account(accounts.get(part.client_id))
        line_rows.append({"batch_id": batch.id, "client_id": part.client_id, "client_name": part.name,
                          "collected_minor": part.collected, "client_share_minor": part.client_share,
                          "commission_minor": part.commission, "vat_minor": part.vat, "vat_code": part.vat_code,
                          "vat_basis": part.vat_basis, "method": method, "manual_reason": reason, "holder": holder,
                          "iban": iban, "bic": bic, "language": part.language})
    try:
        with session.begin_nested():
            # Plain executemany (psycopg pipelines it); render_nulls: rows with and without an
            # account (None) in one run. (A multi-row INSERT ... RETURNING is slower with psycopg:
            # it parses the 12,000-parameter statement client-side.) A line is a client's, once.
            session.execute(insert(PayoutLine).execution_options(render_nulls=True), line_rows)
            line_of = dict(session.execute(select(PayoutLine.client_id, PayoutLine.id)
                                           .where(PayoutLine.batch_id == batch.id)).all())
            session.execute(insert(PayoutItem).execution_options(render_nulls=True), [
                {"batch_id": batch.id, "line_id": line_of[part.client_id], "ledger_entry_id": i.entry_id, "case_id": i.case_id,
                 "case_ref": i.case_ref, "booked_on": i.booked_on, "in_court": i.in_court, "share_bp": i.share_bp,
                 "collected_minor": i.collected, "client_share_minor": i.client_share,
                 "commission_minor": i.commission, "vat_minor": i.vat}
                for part in paid for i in part.items])
    except IntegrityError:
        raise InvalidInput("Another batch took some of these collections a moment ago (a collection is paid out "
                           "once): nothing was drafted; look at the open batch, or run again.") from None
    session.expire(batch, ["lines"])            # written in bulk: read back when asked for
    # The entries by account (each collection's COLLECTED debit, then each client's CLIENT_PAYABLE
    # credit): post_many sends a run of entries with the same columns set as one executemany
    # (interleaved, the runs were a thousand statements).
    lines = [debit(COLLECTED, Money(i.collected, CURRENCY), case_id=i.case_id, client_id=i.client_id)
             for part in paid for i in part.items]
    lines += [credit(CLIENT_PAYABLE, Money(part.net, CURRENCY), client_id=part.client_id) for part in paid]
    lines.append(credit(REVENUE, Money(batch.commission_minor, CURRENCY)))
    lines.append(credit(VAT_PAYABLE, Money(batch.vat_minor, CURRENCY)))
    # One transaction of thousands of entries: post_many writes them in bulk.
    [batch.split_transaction_id] = ledger.post_many(session, actor, [ledger.Posting(
        kind="payout_split", booked_on=until, source=f"batch {batch.id}", lines=tuple(lines),
        description=f"Payout batch {batch.id}: the split of {len(paid)} client(s)' collections up to "
                    f"{until.isoformat()}")])
    session.flush()
    audit.record(session, actor, "payout.drafted", "payout_batch", batch.id, to_state=DRAFT, details={
        "until": until.isoformat(), "clients": len(paid), "collections": sum(len(p.items) for p in paid),
        "collected": Money(batch.collected_minor, CURRENCY).amount_text(),
        "to_clients": Money(batch.to_clients_minor, CURRENCY).amount_text(),
        "to_firm": Money(batch.to_firm_minor, CURRENCY).amount_text(),
        "waiting_under_minimum": [p.client_id for p in waiting], "warnings": warnings})
    return batch


def _same_person(actor: Actor, batch: PayoutBatch) -> bool:
    if actor.user_id is not None and batch.drafted_by_id is not None:
        return actor.user_id == batch.drafted_by_id
    return actor.name == batch.drafted_by


def _move(session: Session, actor: Actor, batch: PayoutBatch, to: str, **details) -> None:
    before = batch.state
    batch.state = to
    session.flush()
    audit.record(session, actor, f"payout.{to}", "payout_batch", batch.id, from_state=before, to_state=to,
                 details=details or None)


def approve(session: Session, actor: Actor, batch_id: int, seen_version: int | None = None) -> PayoutBatch:
    """A second accountant approves a drafted batch; the one who drafted it cannot. Audited."""
    batch = get_batch(session, batch_id)
    check_version(f"Payout batch {batch.id}", batch, seen_version)
    if batch.state != DRAFT:
        raise InvalidInput(gettext("Payout batch %(id)s is %(state)s: only a draft is approved.", id=batch.id,
                                   state=batch.state))
    if _same_person(actor, batch):
        raise InvalidInput(gettext("You drafted payout batch %(id)s yourself: a second accountant must approve it "
                                   "(four eyes on every payout).", id=batch.id))
    batch.approved_by, batch.approved_at = actor.name, utcnow()
    _move(session, actor, batch, APPROVED)
    return batch


@dataclass
class Exported:
    batch: PayoutBatch
    files: dict[str, bytes]          # file name -> content (the SEPA file)


def export(session: Session, actor: Actor, batch_id: int, store, *, settings: Mapping,
           seen_version: int | None = None, execution_date: date | None = None) -> Exported:
    """Write the SEPA file (pain.001.001.09, validated against its schema) into the file store
    and freeze each client's statement: its number, its date (the export's), its lines and
    items (the batch's records, which never change); the batch is exported. Audited. An
    approved batch only.

    The statements' PDFs are rendered from these records afterwards (`render_statements`, which
    the command runs right after; `statement_pdf` on the batch page, the first time one is
    downloaded): at a tenth of a second each, a batch of a thousand clients would hold the
    export for minutes."""
    from caseapp.payouts import sepa

    batch = get_batch(session, batch_id)
    check_version(f"Payout batch {batch.id}", batch, seen_version)
    if batch.state != APPROVED:
        raise InvalidInput(f"Payout batch {batch.id} is {batch.state}, not approved: a second accountant approves "
                           "it before it is exported.")
    files: dict[str, bytes] = {}
    batch.exported_by, batch.exported_at = actor.name, utcnow()      # the statements' date
    for line in batch.lines:
        line.statement_number = statement_number(batch, line)
    sepa_lines = [line for line in batch.lines if line.method == SEPA and line.client_share_minor - line.vat_minor]
    if sepa_lines:
        xml = sepa.transfer_file(batch, sepa_lines, settings, execution_date=execution_date or date.today())
        name = f"payout-batch-{batch.id}-pain.001.001.09.xml"
        batch.sepa_sha256, batch.sepa_filename = store.put(xml), name
        files[name] = xml
    _move(session, actor, batch, EXPORTED, files=sorted(files),
          statements=[statement_filename(batch, line) for line in batch.lines],
          manual=[line.client_id for line in batch.lines if line.method == MANUAL])
    return Exported(batch, files)


# --- the statements' PDFs ------------------------------------------------------------------

def _exported(batch: PayoutBatch) -> None:
    if batch.state not in (EXPORTED, CONFIRMED):
        raise InvalidInput(f"Payout batch {batch.id} is {batch.state}: its statements are written when it is "
                           "exported.")


def statement_pdf(session: Session, store, batch: PayoutBatch, line: PayoutLine, settings: Mapping) -> bytes:
    """A client's statement of an exported batch as a PDF: rendered from its record the first
    time and stored (the line keeps its SHA-256), read from the store every time after; the
    same document either way (dated the day of the export)."""
    _exported(batch)
    if line.statement_sha256 and store.exists(line.statement_sha256):
        return store.read(line.statement_sha256)
    from caseapp.payouts import statements

    content = statements.render(store, batch, line, settings)
    line.statement_sha256 = store.put(content)
    session.flush()
    return content


def batch_line(session: Session, batch: PayoutBatch, client_id: int) -> PayoutLine:
    """The client's line of the batch (its items load when asked for)."""
    line = session.scalar(select(PayoutLine).where(PayoutLine.batch_id == batch.id,
                                                   PayoutLine.client_id == client_id))
    if line is None:
        raise NotFound(f"Payout batch {batch.id} pays nothing to client {client_id}.")
    return line


def render_statements(session: Session, store, batch_id: int, *, settings: Mapping, client_ids=None,
                      pool=None, progress=None) -> dict[str, bytes]:
    """Render and store the statements of an exported batch that have no PDF yet (of
    `client_ids` only, if given); `pool` (an executor) lays them out in other processes.
    Returns file name -> PDF of each statement asked for (those rendered before, read back)."""
    from caseapp.payouts import statements

    batch = get_batch(session, batch_id)
    _exported(batch)
    query = select(PayoutLine).where(PayoutLine.batch_id == batch.id).options(selectinload(PayoutLine.items))
    if client_ids is not None:
        query = query.where(PayoutLine.client_id.in_(list(client_ids)))
    lines = list(session.scalars(query.order_by(PayoutLine.id)))
    todo = [line for line in lines if not (line.statement_sha256 and store.exists(line.statement_sha256))]
    texts = [statements.html(batch, line, settings) for line in todo]
    rendered = pool.map(statements.pdf, texts, chunksize=4) if pool is not None else map(statements.pdf, texts)
    files: dict[str, bytes] = {}
    for line, content in zip(todo, rendered):
        line.statement_sha256 = store.put(content)
        files[statement_filename(batch, line)] = content
        if progress:
            progress(1)
    session.flush()
    fresh = {line.id for line in todo}
    for line in lines:
        if line.id not in fresh:
            files[statement_filename(batch, line)] = store.read(line.statement_sha256)
    return {name: files[name] for name in sorted(files)}


def statement_number(batch: PayoutBatch, line: PayoutLine) -> str:
    """The credit note's number: unique and in sequence per batch (§ 14(4) no. 4 UStG)."""
    return f"GS-{batch.id}-{line.client_id}"


def statement_filename(batch: PayoutBatch, line: PayoutLine) -> str:
    safe = re.sub(r"[^A-Za-z0-9]+", "-", line.client_name).strip("-")[:40] or "client"
    return f"payout-batch-{batch.id}-statement-{line.client_id}-{safe}.pdf"


def confirm(session: Session, actor: Actor, batch_id: int, seen_version: int | None = None,
            booked_on: date | None = None) -> PayoutBatch:
    """The bank shows the transfers (and the manual ones are made): debit CLIENT_PAYABLE per
    client, credit BANK. Audited. An exported batch only."""
    batch = get_batch(session, batch_id)
    check_version(f"Payout batch {batch.id}", batch, seen_version)
    if batch.state != EXPORTED:
        raise InvalidInput(f"Payout batch {batch.id} is {batch.state}: only an exported batch is confirmed.")
    lines = [debit(CLIENT_PAYABLE, Money(line.client_share_minor - line.vat_minor, CURRENCY),
                   client_id=line.client_id) for line in batch.lines]
    lines.append(credit(BANK, Money(batch.to_clients_minor, CURRENCY)))
    if batch.to_clients_minor:
        transaction = ledger.post(session, actor, kind="payout_transfer", booked_on=booked_on or date.today(),
                                  source=f"batch {batch.id}", lines=lines,
                                  description=f"Payout batch {batch.id}: the transfers to {len(batch.lines)} "
                                              "client(s)")
        batch.transfer_transaction_id = transaction.id
    batch.confirmed_by, batch.confirmed_at = actor.name, utcnow()
    _move(session, actor, batch, CONFIRMED)
    return batch


@dataclass(frozen=True)
class Transfer:
    """One client's transfer of an exported or confirmed batch, as the bank and the ledger see it
    at a day: `shown_on` the day the bank statement shows it (None: not yet), `booked` whether the
    ledger has booked it (the batch confirmed, its transfer booked by that day)."""
    batch_id: int
    client_id: int
    client_name: str
    amount: Money
    end_to_end_id: str | None        # a SEPA transfer's, as the statement shows it
    credit_note: str                 # its credit note's number (a manual transfer's reference names it)
    shown_on: date | None
    booked: bool

    @property
    def in_transit(self) -> Money:
        """What the reconciliation adds to the statement's balance for it: paid by the bank, not
        yet booked (+ the amount: the ledger still holds it as client money); booked, not yet on
        the statement (- the amount: the bank still holds it); otherwise nothing."""
        if self.shown_on is not None and not self.booked:
            return self.amount
        if self.booked and self.shown_on is None:
            return self.amount * -1
        return Money.zero(self.amount.currency)


def end_to_end_id(batch_id: int, client_id: int) -> str:
    """The end-to-end id of a client's SEPA transfer in a batch (what the bank statement shows)."""
    from caseapp.payouts.sepa import _end_to_end

    return _end_to_end(batch_id, client_id)


def transfers(session: Session, until: date, shown: Mapping[str, date]) -> list[Transfer]:
    """Every client's transfer of the batches exported (or confirmed) by `until`. `shown`: what the
    bank statements up to `until` show (the payments domain's debits): end-to-end id or credit
    note number -> the day it was booked.

    At each state of a batch, the bank and the ledger hold:
    - draft, approved: no transfer exists; the split moved the client's net to CLIENT_PAYABLE
      (still client money, still in the account) and the commission and VAT to the firm's accounts.
    - exported: the SEPA file is written and uploaded; until the bank executes it, neither the
      statement nor the ledger shows the transfer: nothing in transit. Once the statement shows it
      and the batch is not confirmed, the bank has paid what the ledger still holds for the client.
    - confirmed: the ledger credits BANK on the confirmation's day; until the statement shows the
      transfer (a transfer made by hand, a statement not imported yet), the bank still holds it."""
    from caseapp.ledger import services as ledger_reads

    query = (select(PayoutBatch).where(PayoutBatch.state.in_((EXPORTED, CONFIRMED)))
             .options(selectinload(PayoutBatch.lines)).order_by(PayoutBatch.id))
    batches_ = list(session.scalars(query))   # one exported after `until` is neither shown nor booked by then
    booked_on = ledger_reads.booked_on(session, [b.transfer_transaction_id for b in batches_
                                                 if b.transfer_transaction_id])
    out: list[Transfer] = []
    for batch in batches_:
        day = booked_on.get(batch.transfer_transaction_id)
        booked = batch.state == CONFIRMED and day is not None and day <= until
        for line in batch.lines:
            amount = line.client_share_minor - line.vat_minor
            if not amount:
                continue
            e2e = end_to_end_id(batch.id, line.client_id) if line.method == SEPA else None
            note = line.statement_number or statement_number(batch, line)
            seen = shown.get(e2e) if e2e else None
            out.append(Transfer(batch.id, line.client_id, line.client_name, Money(amount, batch.currency), e2e,
                                note, seen or shown.get(note), booked))
    return out


def in_transit(session: Session, until: date, shown: Mapping[str, date]) -> Money:
    """Items in transit at `until` (see `transfers`): the transfers the bank paid that the ledger
    has not booked, less those the ledger booked that the bank has not paid yet. Added to the
    statement's balance, it gives what the account would hold had both booked the same."""
    return Money(sum(t.in_transit.minor for t in transfers(session, until, shown)), CURRENCY)


def batch_data(batch: PayoutBatch, files: list[str] | None = None) -> dict:
    """A batch as `--json` prints it (amounts as decimal strings)."""
    def text(minor: int) -> str:
        return Money(minor, batch.currency).amount_text()

    data = {"batch": batch.id, "state": batch.state, "until": batch.until.isoformat(), "currency": batch.currency,
            "clients": len(batch.lines), "collected": text(batch.collected_minor),
            "to_clients": text(batch.to_clients_minor), "to_firm": text(batch.to_firm_minor),
            "commission": text(batch.commission_minor), "vat": text(batch.vat_minor),
            "drafted_by": batch.drafted_by, "approved_by": batch.approved_by,
            "manual": [{"client": line.client_id, "name": line.client_name, "reason": line.manual_reason,
                        "amount": text(line.client_share_minor - line.vat_minor)}
                       for line in batch.lines if line.method == MANUAL]}
    if files is not None:
        data["files"] = files
    return data


def load_batch(session: Session, batch_id: int) -> PayoutBatch:
    """A batch with its lines and items (the batch page)."""
    batch = session.scalars(select(PayoutBatch).where(PayoutBatch.id == batch_id).options(
        selectinload(PayoutBatch.lines).selectinload(PayoutLine.items))).first()
    if batch is None:
        raise NotFound(f"There is no payout batch {batch_id}.")
    return batch
