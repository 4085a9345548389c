"""A client's contract: the terms its cases are worked under (shares, minimum payout, the
lowest settlement the firm may accept without asking). A change is a new contract from a
moment on; a case keeps the contract it was opened under."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.clients.models import ClientContract
from caseapp.core.models import utcnow

# The firm's standard terms (DOMAIN.md: 70% of what is collected out of court, 50% in court).
DEFAULT_SHARE_OUT_OF_COURT_BP = 7000
DEFAULT_SHARE_IN_COURT_BP = 5000


def current_contract(session: Session, client_id: int, at: datetime | None = None) -> ClientContract:
    """The contract in force for the client at `at` (now): the latest that started by then.
    A client without one works under the default terms, recorded from its first use."""
    at = at or utcnow()
    contract = session.scalars(
        select(ClientContract).where(ClientContract.client_id == client_id, ClientContract.starts_at <= at)
        .order_by(ClientContract.starts_at.desc(), ClientContract.id.desc()).limit(1)).first()
    if contract is None:
        contract = ClientContract(client_id=client_id, starts_at=at, created_by="system",
                                  share_out_of_court_bp=DEFAULT_SHARE_OUT_OF_COURT_BP,
                                  share_in_court_bp=DEFAULT_SHARE_IN_COURT_BP, currency="EUR",
                                  minimum_payout_minor=0, settlement_floor_bp=10000,
                                  note="The default terms.")
        session.add(contract)
        session.flush()
    return contract
