"""A client's contract: the terms its cases are worked under (shares, minimum payout, the
lowest settlement the firm may accept without asking). A change is a new contract from a
moment on; a case keeps the contract it was opened under."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.clients.models import ClientContract
from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.models import utcnow
from caseapp.core.money import Money

# The firm's standard terms (DOMAIN.md: 70% of what is collected out of court, 50% in court).
DEFAULT_SHARE_OUT_OF_COURT_BP = 7000
DEFAULT_SHARE_IN_COURT_BP = 5000


def current_contract(session: Session, client_id: int, at: datetime | None = None, *,
                     record: bool = False) -> ClientContract:
    """The contract in force for the client at `at` (now): the latest that started by then.
    A client without one works under the default terms: recorded (`record`) when a case is
    opened under them, otherwise only shown (a page or a command that reads writes nothing)."""
    at = at or utcnow()
    contract = session.scalars(
        select(ClientContract).where(ClientContract.client_id == client_id, ClientContract.starts_at <= at)
        .order_by(ClientContract.starts_at.desc(), ClientContract.id.desc()).limit(1)).first()
    if contract is None:
        from caseapp.clients.models import Client

        joined = session.scalar(select(Client.created_at).where(Client.id == client_id))
        contract = ClientContract(client_id=client_id, starts_at=min(joined or at, at), created_by="system",
                                  share_out_of_court_bp=DEFAULT_SHARE_OUT_OF_COURT_BP,
                                  share_in_court_bp=DEFAULT_SHARE_IN_COURT_BP, currency="EUR",
                                  minimum_payout_minor=0, settlement_floor_bp=10000,
                                  note="The default terms.")
        if record:
            session.add(contract)
            session.flush()
    return contract


# Shares and the settlement floor are whole or half percent (55%, 52.5%): what a contract
# states and a person types; finer steps would only make the split unreadable.
SHARE_STEP_BP = 50


def percent_bp(value, field: str) -> int:
    """A percentage typed by a person ('55', '52.5', '52,5', '55%') -> basis points (5500, 5250),
    from 0 to 100 in whole or half percent; a decimal comma is a decimal point (a percentage
    has no thousands). Anything else is refused, naming the field."""
    import re

    from caseapp.core.money import shown

    text = str(value).strip().removesuffix("%").strip() if value is not None else ""
    match = re.fullmatch(r"([0-9]{1,3})(?:[.,]([0-9]{1,2}))?", text) if text.isascii() else None
    bp = None
    if match:
        decimals = (match.group(2) or "").ljust(2, "0")
        bp = int(match.group(1)) * 100 + int(decimals)
    if bp is None or bp > 10000 or bp % SHARE_STEP_BP:
        raise InvalidInput(f"{field}: {shown(value)} is not a percentage from 0 to 100 in whole or half "
                           "percent, e.g. 55 or 52.5.")
    return bp


def _check_bp(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10000 or value % SHARE_STEP_BP:
        raise InvalidInput(f"{field}: {value!r} is not a share from 0% to 100% in whole or half percent.")
    return value


def percent_text(bp: int) -> str:
    """7000 -> '70%', 5250 -> '52.5%'."""
    whole, rest = divmod(bp, 100)
    return f"{whole}%" if not rest else f"{whole}.{rest:02d}".rstrip("0") + "%"


def change_contract(session: Session, actor: Actor, client_id: int, *, share_out_of_court_bp: int,
                    share_in_court_bp: int, minimum_payout: Money | None = None,
                    settlement_floor_bp: int | None = None, starts_at: datetime | None = None,
                    note: str | None = None, seen_contract: int | None = None) -> ClientContract:
    """New terms for the client's cases opened from `starts_at` (now, or a later moment): a new
    contract row; cases opened earlier keep the terms they were opened under. Shares and the
    floor in basis points (whole or half percent); the minimum payout in the contract's
    currency (EUR). Audited. `seen_contract`: the newest contract the page showed
    (`latest_contract_id`, 0 for the default terms); if someone changed the contract since, the
    change is refused: a stale page never silently replaces terms it did not show."""
    from caseapp.clients.services import get_client

    client = get_client(session, client_id)
    if seen_contract is not None and seen_contract != latest_contract_id(session, client.id):
        raise InvalidInput(f"The contract of {client.name} was changed by someone else while you were editing it. "
                           "Reload the page to see their terms, then make your change again.")
    now = utcnow()
    starts_at = starts_at or now
    if starts_at.tzinfo is None:
        raise InvalidInput("Starts: give the moment with its time zone (UTC).")
    if starts_at < now - timedelta(minutes=1):
        raise InvalidInput("Starts: a contract cannot start in the past (cases opened before it keep their "
                           "terms); leave it empty to start now, or give a later moment.")
    # The terms before the change are on record (the default ones from the day the client joined).
    previous = current_contract(session, client.id, at=now, record=True)
    currency = previous.currency
    minimum = minimum_payout if minimum_payout is not None else Money(previous.minimum_payout_minor, currency)
    if not isinstance(minimum, Money):
        raise InvalidInput("Minimum payout: give an amount, e.g. 50.00.")
    if minimum.currency != currency:
        raise InvalidInput(f"Minimum payout: the contract pays in {currency}; give the amount in {currency}.")
    if minimum.minor < 0:
        raise InvalidInput("Minimum payout: an amount of 0 or more.")
    text = (note or "").strip() or None
    if text and len(text) > 2000:
        raise InvalidInput("Note: at most 2000 characters.")
    contract = ClientContract(
        client_id=client.id, starts_at=starts_at, currency=currency, created_by=actor.name, note=text,
        share_out_of_court_bp=_check_bp(share_out_of_court_bp, "Share out of court"),
        share_in_court_bp=_check_bp(share_in_court_bp, "Share in court"),
        settlement_floor_bp=_check_bp(previous.settlement_floor_bp if settlement_floor_bp is None
                                      else settlement_floor_bp, "Settlement floor"),
        minimum_payout_minor=minimum.minor)
    session.add(contract)
    session.flush()
    audit.record(session, actor, "client.contract_changed", "client", client.id, details={
        "contract": contract.id, "from_contract": previous.id, "starts_at": starts_at.isoformat(),
        "share_out_of_court": percent_text(contract.share_out_of_court_bp),
        "share_in_court": percent_text(contract.share_in_court_bp),
        "minimum_payout": str(minimum), "settlement_floor": percent_text(contract.settlement_floor_bp),
        "before": contract_in_words(previous)})
    return contract


def latest_contract_id(session: Session, client_id: int) -> int:
    """The id of the client's newest contract row (0 while it works under the default terms):
    what a page that offers to change the contract sends back, to refuse a stale change."""
    from sqlalchemy import func

    return session.scalar(select(func.max(ClientContract.id)).where(ClientContract.client_id == client_id)) or 0


def contract_in_words(contract: ClientContract, translate: bool = False) -> str:
    """'You receive 70% of what we collect out of court, 50% in court. …' (the client's view).
    In English for the audit trail and the command line; `translate`: in the page's language."""
    if translate:
        from flask_babel import gettext as _

        from caseapp.core.formatting import money as amount
    else:
        def _(words: str, **values) -> str:
            return words % values if values else words

        def amount(value: Money) -> str:
            return value.format("en")
    words = _("You receive %(out_of_court)s of what we collect out of court, %(in_court)s in court.",
              out_of_court=percent_text(contract.share_out_of_court_bp),
              in_court=percent_text(contract.share_in_court_bp))
    minimum = Money(contract.minimum_payout_minor, contract.currency)
    words += " " + (_("We pay out once you are owed at least %(minimum)s.", minimum=amount(minimum)) if minimum
                    else _("We pay out whatever you are owed, however small."))
    if contract.settlement_floor_bp < 10000:
        words += " " + _("We may settle for %(floor)s of the claim or more without asking you.",
                         floor=percent_text(contract.settlement_floor_bp))
    else:
        words += " " + _("We ask you before settling for less than the claim.")
    return words


def contract_of(session: Session, contract_id: int) -> ClientContract:
    contract = session.get(ClientContract, contract_id)
    if contract is None:
        raise NotFound(f"There is no contract {contract_id}.")
    return contract


def case_terms(session: Session, case) -> ClientContract:
    """The terms a case is worked under (payouts use them): the contract it was opened under;
    for a case opened before contracts were kept, the client's contract in force when it was
    opened."""
    if case.contract_id is not None:
        return contract_of(session, case.contract_id)
    return current_contract(session, case.client_id, at=getattr(case, "created_at", None))


def case_terms_by_case(session: Session, cases) -> dict[int, ClientContract]:
    """`case_terms` of many cases (case id -> its contract) in a few queries: a payout batch asks
    it for thousands of cases."""
    ids = sorted({case.contract_id for case in cases if case.contract_id is not None})
    by_id: dict[int, ClientContract] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        by_id.update((c.id, c) for c in session.scalars(select(ClientContract).where(ClientContract.id.in_(chunk))))
    terms: dict[int, ClientContract] = {}
    for case in cases:
        found = by_id.get(case.contract_id) if case.contract_id is not None else None
        terms[case.id] = found if found is not None else case_terms(session, case)   # (raises NotFound)
    return terms


def current_contracts(session: Session, client_ids, at: datetime | None = None) -> dict[int, ClientContract]:
    """`current_contract` of many clients (client id -> the contract in force at `at`, now),
    in a few queries; a client without one gets the default terms, unrecorded."""
    at = at or utcnow()
    ids = sorted(set(client_ids))
    found: dict[int, ClientContract] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        rows = session.scalars(select(ClientContract).where(ClientContract.client_id.in_(chunk),
                                                            ClientContract.starts_at <= at)
                               .order_by(ClientContract.client_id, ClientContract.starts_at.desc(),
                                         ClientContract.id.desc()))
        for contract in rows:
            found.setdefault(contract.client_id, contract)     # the first per client: the latest started
    for client_id in ids:
        if client_id not in found:
            found[client_id] = current_contract(session, client_id, at=at)
    return found


def contract_history(session: Session, client_id: int) -> list[ClientContract]:
    """Every contract of the client, the latest start first (future ones included)."""
    return list(session.scalars(select(ClientContract).where(ClientContract.client_id == client_id)
                                .order_by(ClientContract.starts_at.desc(), ClientContract.id.desc())))
