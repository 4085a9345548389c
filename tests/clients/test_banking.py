"""A client's bank account: IBAN and BIC checked with schwifty; a change waits for a second
person, who cannot be the one who asked; the previous account is replaced; all audited."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from caseapp.clients import banking
from caseapp.clients.models import ACTIVE, PENDING, REJECTED, REPLACED
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput, StaleEdit
from tests.clients.factories import make_client

IBAN = "DE89 3704 0044 0532 0130 00"        # Commerzbank Köln (COBADEFFXXX)
OTHER_IBAN = "DE02120300000000202051"       # Deutsche Kreditbank (BYLADEM1001)


@pytest.fixture()
def people(users):
    return Actor.of(users["accountant"]), Actor.of(users["admin"])


@pytest.mark.parametrize("typed, words", [
    ("DE89370400440532013001", "fails its check digits"),
    ("DE8937040044053201300", "wrong length for an IBAN of DE"),
    ("XX89370400440532013000", "not a country that uses IBANs"),
    ("", "none given"),
])
def test_a_wrong_iban_says_what_is_wrong_and_where_to_look(typed, words):
    with pytest.raises(InvalidInput, match=words) as refused:
        banking.clean_iban(typed)
    assert str(refused.value).startswith("IBAN:") and "bank statement" in str(refused.value)


def test_the_bic_is_derived_from_the_iban_and_checked_against_it(db_session, people):
    asker, _ = people
    holder = make_client(db_session)
    account = banking.request_account(db_session, asker, holder.id, "Anna Maler", IBAN.lower())
    assert (account.iban, account.bic, account.status) == ("DE89370400440532013000", "COBADEFFXXX", PENDING)
    with pytest.raises(InvalidInput, match="is not the bank of this IBAN"):
        banking.clean_bic("DEUTDEFF", *banking.clean_iban(IBAN))
    assert banking.clean_bic("COBADEFF", *banking.clean_iban(IBAN)) == "COBADEFF"
    with pytest.raises(InvalidInput, match="^BIC: "):
        banking.clean_bic("XXXX", *banking.clean_iban(IBAN))


def test_a_holder_has_at_most_70_characters(db_session, people):
    holder = make_client(db_session)
    banking.clean_holder("x" * 70)
    with pytest.raises(InvalidInput, match="at most 70 characters"):
        banking.request_account(db_session, people[0], holder.id, "x" * 71, IBAN)


def test_a_change_needs_a_second_person(db_session, people):
    asker, second = people
    holder = make_client(db_session)
    first = banking.request_account(db_session, asker, holder.id, "Anna Maler", IBAN)
    assert banking.payout_account(db_session, holder.id) is None       # pending pays nothing

    with pytest.raises(InvalidInput, match="a second person must confirm it"):
        banking.confirm_account(db_session, asker, first.id, first.version)
    assert first.status == PENDING

    banking.confirm_account(db_session, second, first.id, first.version)
    assert banking.payout_account(db_session, holder.id) is first and first.decided_by == "admin"

    changed = banking.request_account(db_session, asker, holder.id, "Anna Maler", OTHER_IBAN)
    with pytest.raises(InvalidInput, match="still waiting for a second person"):
        banking.request_account(db_session, asker, holder.id, "Anna Maler", IBAN)
    with pytest.raises(StaleEdit):
        banking.confirm_account(db_session, second, changed.id, changed.version + 1)
    banking.confirm_account(db_session, second, changed.id, changed.version)
    assert (first.status, changed.status) == (REPLACED, ACTIVE)
    assert banking.payout_account(db_session, holder.id) is changed

    actions = set(db_session.scalars(select(AuditEvent.action).where(
        AuditEvent.subject_type == "bank_account", AuditEvent.subject_id.in_([first.id, changed.id]))))
    assert {"bank_account.requested", "bank_account.confirmed", "bank_account.replaced"} <= actions


def test_a_rejected_account_never_pays_and_needs_a_reason(db_session, people):
    asker, second = people
    holder = make_client(db_session)
    account = banking.request_account(db_session, asker, holder.id, "Anna Maler", IBAN)
    with pytest.raises(InvalidInput, match="Reason"):
        banking.reject_account(db_session, second, account.id, account.version, " ")
    with pytest.raises(InvalidInput, match="a second person must reject it"):
        banking.reject_account(db_session, asker, account.id, account.version, "typo")
    banking.reject_account(db_session, second, account.id, account.version, "The client sent another IBAN")
    assert account.status == REJECTED and banking.payout_account(db_session, holder.id) is None
    with pytest.raises(InvalidInput, match="nothing to confirm"):
        banking.confirm_account(db_session, second, account.id, account.version)


def test_ibans_are_grouped_and_masked():
    assert banking.iban_grouped("DE89370400440532013000") == "DE89 3704 0044 0532 0130 00"
    masked = banking.iban_masked("DE89370400440532013000")
    assert masked.startswith("DE") and masked.endswith("30 00") and "3704" not in masked


def test_a_handler_cannot_confirm_a_bank_account(db_session, client_as, users):
    holder = make_client(db_session)
    account = banking.request_account(db_session, Actor.of(users["accountant"]), holder.id, "Anna Maler", IBAN)
    db_session.commit()
    response = client_as("handler").post(f"/clients/bank/{account.id}/confirm",
                                         data={"version": account.version, "client": holder.id})
    assert response.status_code == 403
    assert account.status == PENDING
    page = client_as("accountant").get(f"/clients/{holder.id}").get_data(as_text=True)
    assert "You asked for it: another person confirms it." in page and f'id="confirm-{account.id}"' not in page
    response = client_as("admin").post(f"/clients/bank/{account.id}/confirm",
                                       data={"version": account.version, "client": holder.id})
    assert response.status_code == 302
    db_session.refresh(account)
    assert account.status == ACTIVE


def test_two_requests_at_once_cannot_both_wait(db_session):
    """The database keeps one pending request a client, whatever the services saw: a second
    row inserted past the check (two people at once) is refused with a message."""
    from caseapp.clients.models import BankAccount

    holder = make_client(db_session)
    first = banking.request_account(db_session, Actor.system("anna"), holder.id, "Anna Maler",
                                    "DE89370400440532013000")
    racing = BankAccount(client_id=holder.id, holder="Anna Maler", iban="DE02120300000000202051", status="pending",
                         requested_by="berta")
    with pytest.raises(IntegrityError):
        with db_session.begin_nested():
            db_session.add(racing)
            db_session.flush()
    assert banking.accounts_of(db_session, holder.id) == [first]
