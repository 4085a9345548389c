"""A client's bank account for payouts. IBAN and BIC are checked with schwifty. A new or
changed account is pending until a second person confirms it (a changed account is how
payout fraud happens): then it is active and the one before it replaced. Every step is
audited; a payout needs the active account (`payout_account`)."""
from __future__ import annotations

from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from caseapp.clients.models import ACTIVE, PENDING, REJECTED, REPLACED, BankAccount
from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.models import utcnow
from caseapp.core.money import shown
from caseapp.core.records import check_version

HOLDER_MAX = 70     # SEPA: the name of a party is cut at 70 characters
STATUS_WORDS = {PENDING: lazy_gettext("waiting for a second person"), ACTIVE: lazy_gettext("active: payouts go here"),
                REPLACED: lazy_gettext("replaced"), REJECTED: lazy_gettext("rejected")}
# An account's status in one word (its chip on the client's page)
STATUS_SHORT = {PENDING: lazy_gettext("pending"), ACTIVE: lazy_gettext("active"), REPLACED: lazy_gettext("replaced"),
                REJECTED: lazy_gettext("rejected")}
_WHERE = "The IBAN is on the client's bank statement or in their online banking."


def clean_iban(value) -> tuple[str, str | None]:
    """An IBAN as typed (spaces, any case) -> (compact IBAN, the BIC schwifty derives from it
    or None). Refused in one line saying what is wrong and where the right one is found."""
    from schwifty import IBAN
    from schwifty.exceptions import (InvalidBBANChecksum, InvalidChecksumDigits, InvalidCountryCode,
                                     InvalidLength, SchwiftyException)

    text = "" if value is None else str(value).strip()
    if not text:
        raise InvalidInput(f"IBAN: none given. {_WHERE}")
    if len(text) > 50 or not text.isascii() or not text.isprintable():
        raise InvalidInput(f"IBAN: {shown(text)} is not an IBAN: two letters, two check digits, then the account "
                           f"(up to 34 characters). {_WHERE}")
    try:
        iban = IBAN(text)
    except InvalidCountryCode:
        raise InvalidInput(f"IBAN: {shown(text)} starts with {shown(text[:2].upper())}, which is not a country "
                           f"that uses IBANs. {_WHERE}") from None
    except InvalidLength:
        raise InvalidInput(f"IBAN: {shown(text)} has the wrong length for an IBAN of {text[:2].upper()}: a digit "
                           f"is missing or one too many. {_WHERE}") from None
    except (InvalidChecksumDigits, InvalidBBANChecksum):
        raise InvalidInput(f"IBAN: {shown(text)} fails its check digits: a digit is mistyped or two are "
                           f"swapped. {_WHERE}") from None
    except (SchwiftyException, ValueError) as error:
        raise InvalidInput(f"IBAN: {shown(text)} is not a valid IBAN ({error}). {_WHERE}") from None
    derived = iban.bic
    return iban.compact, (derived.compact if derived is not None else None)


def clean_bic(value, iban: str, derived: str | None) -> str | None:
    """The BIC: as given (checked with schwifty, and against the IBAN's bank when schwifty
    knows it), or the one derived from the IBAN when none is given."""
    from schwifty import BIC, IBAN
    from schwifty.exceptions import SchwiftyException

    text = "" if value is None else str(value).strip().replace(" ", "")
    if not text:
        return derived
    if len(text) > 20 or not text.isascii() or not text.isprintable():
        raise InvalidInput(f"BIC: {shown(text)} is not a BIC: 8 or 11 letters and digits, e.g. COBADEFFXXX.")
    try:
        bic = BIC(text)
    except (SchwiftyException, ValueError) as error:
        raise InvalidInput(f"BIC: {shown(text)} is not a valid BIC ({error}): 8 or 11 letters and digits, "
                           "e.g. COBADEFFXXX.") from None
    country = iban[:2]
    if derived is not None:
        bank_code = IBAN(iban).bank_code
        if bic.compact[:8] != derived[:8] and bank_code not in (bic.domestic_bank_codes or []):
            raise InvalidInput(f"BIC: {bic.compact} is not the bank of this IBAN (its bank is {derived}); leave "
                               "the BIC empty to use that one, or check the IBAN.")
    elif bic.country_code != country:
        raise InvalidInput(f"BIC: {bic.compact} is a bank in {bic.country_code}, the IBAN an account in {country}; "
                           "check both.")
    return bic.compact


def clean_holder(value) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise InvalidInput("Account holder: the name on the account is needed (as the bank has it).")
    if len(text) > HOLDER_MAX or not text.isprintable():
        raise InvalidInput(f"Account holder: at most {HOLDER_MAX} characters on one line (SEPA cuts longer "
                           f"names); {len(text)} given.")
    return text


def iban_grouped(iban: str) -> str:
    """'DE89370400440532013000' -> 'DE89 3704 0044 0532 0130 00'."""
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def iban_masked(iban: str) -> str:
    """'DE89 •••• •••• •••• ••30 00': the country and the last 4 characters (for lists)."""
    masked = iban[:2] + "".join(c if i >= len(iban) - 4 else "•" for i, c in enumerate(iban[2:], start=2))
    return iban_grouped(masked)


def get_account(session: Session, account_id: int) -> BankAccount:
    account = session.get(BankAccount, account_id)
    if account is None:
        raise NotFound(f"There is no bank account {account_id}; `caseapp clients show` lists a client's accounts.")
    return account


def accounts_of(session: Session, client_id: int) -> list[BankAccount]:
    """The client's accounts: pending first, then active, then the rest, newest first."""
    order = {PENDING: 0, ACTIVE: 1, REPLACED: 2, REJECTED: 3}
    rows = session.scalars(select(BankAccount).where(BankAccount.client_id == client_id)
                           .order_by(BankAccount.id.desc()))
    return sorted(rows, key=lambda a: order.get(a.status, 9))


def payout_account(session: Session, client_id: int) -> BankAccount | None:
    """The account payouts go to: the active one, or None (a payout then waits)."""
    return session.scalars(select(BankAccount).where(BankAccount.client_id == client_id,
                                                     BankAccount.status == ACTIVE)).first()


def payout_accounts(session: Session, client_ids) -> dict[int, BankAccount]:
    """`payout_account` of many clients (client id -> its active account; none: not there)."""
    ids = sorted(set(client_ids))
    found: dict[int, BankAccount] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        rows = session.scalars(select(BankAccount).where(BankAccount.client_id.in_(chunk),
                                                         BankAccount.status == ACTIVE).order_by(BankAccount.id))
        for account in rows:
            found.setdefault(account.client_id, account)
    return found


def request_account(session: Session, actor: Actor, client_id: int, holder: str, iban: str,
                    bic: str | None = None) -> BankAccount:
    """Ask for a new payout account for the client: checked, kept as pending until a second
    person confirms it. Audited."""
    from caseapp.clients.services import get_client

    client = get_client(session, client_id)
    holder = clean_holder(holder)
    compact, derived = clean_iban(iban)
    bic = clean_bic(bic, compact, derived)
    pending = session.scalars(select(BankAccount).where(BankAccount.client_id == client.id,
                                                        BankAccount.status == PENDING)).first()
    if pending is not None:
        raise InvalidInput(f"Account {pending.id} ({iban_masked(pending.iban)}) is still waiting for a second "
                           "person: confirm or reject it before asking for another.")
    active = payout_account(session, client.id)
    if active is not None and active.iban == compact and active.holder == holder:
        raise InvalidInput(f"{iban_grouped(compact)} is already the client's active account.")
    account = BankAccount(client_id=client.id, holder=holder, iban=compact, bic=bic, status=PENDING,
                          requested_by_id=actor.user_id, requested_by=actor.name)
    try:
        with session.begin_nested():   # one pending request a client (uq_bank_account_one_pending)
            session.add(account)
            session.flush()
    except IntegrityError:
        raise InvalidInput("Someone else asked for an account for this client a moment ago: reload the page, "
                           "then confirm or reject that request before asking for another.") from None
    audit.record(session, actor, "bank_account.requested", "bank_account", account.id, to_state=PENDING,
                 details={"client": client.id, "holder": holder, "iban": iban_masked(compact), "bic": bic,
                          "replaces": active.id if active else None})
    return account


def _same_person(actor: Actor, account: BankAccount) -> bool:
    if actor.user_id is not None and account.requested_by_id is not None:
        return actor.user_id == account.requested_by_id
    return actor.name == account.requested_by


def _decide(session: Session, actor: Actor, account_id: int, seen_version: int | None, verb: str) -> BankAccount:
    account = get_account(session, account_id)
    check_version(f"Bank account {account.id}", account, seen_version)
    if account.status != PENDING:
        raise InvalidInput(f"Account {account.id} is {account.status} already ({account.decided_by or 'nobody'} "
                           "decided); there is nothing to " + verb + ".")
    if _same_person(actor, account):
        raise InvalidInput(f"You asked for account {account.id} yourself: a second person must {verb} it (a changed "
                           "bank account is how payout fraud happens). Ask another accountant or an admin.")
    return account


def confirm_account(session: Session, actor: Actor, account_id: int, seen_version: int | None) -> BankAccount:
    """A second person (not the requester) confirms a pending account: it becomes the active
    one and the one before it is replaced. Audited."""
    account = _decide(session, actor, account_id, seen_version, "confirm")
    now = utcnow()
    previous = payout_account(session, account.client_id)
    if previous is not None:
        previous.status = REPLACED
        previous.decided_at = previous.decided_at or now
        session.flush()
        audit.record(session, actor, "bank_account.replaced", "bank_account", previous.id, from_state=ACTIVE,
                     to_state=REPLACED, details={"client": account.client_id, "by_account": account.id})
    account.status, account.decided_by_id, account.decided_by, account.decided_at = ACTIVE, actor.user_id, \
        actor.name, now
    session.flush()
    audit.record(session, actor, "bank_account.confirmed", "bank_account", account.id, from_state=PENDING,
                 to_state=ACTIVE, details={"client": account.client_id, "iban": iban_masked(account.iban),
                                           "requested_by": account.requested_by,
                                           "replaced": previous.id if previous else None})
    return account


def reject_account(session: Session, actor: Actor, account_id: int, seen_version: int | None,
                   reason: str) -> BankAccount:
    """A second person rejects a pending account, saying why; the active one stays. Audited."""
    text = " ".join(str(reason or "").split())
    if not text:
        raise InvalidInput("Reason: say why the account is rejected (the requester reads it).")
    if len(text) > 500:
        raise InvalidInput("Reason: at most 500 characters.")
    account = _decide(session, actor, account_id, seen_version, "reject")
    account.status, account.decided_by_id, account.decided_by, account.decided_at = REJECTED, actor.user_id, \
        actor.name, utcnow()
    account.reason = text
    session.flush()
    audit.record(session, actor, "bank_account.rejected", "bank_account", account.id, from_state=PENDING,
                 to_state=REJECTED, reason=text, details={"client": account.client_id,
                                                         "iban": iban_masked(account.iban)})
    return account
