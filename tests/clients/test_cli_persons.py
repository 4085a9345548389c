"""`--as LOGIN` names the person a command acts as: that person must hold the permission the
page would ask of them (docs/permissions.md), so the command line is no way around the matrix
and a machine account or a handler is never the "second person" of a bank account."""
from __future__ import annotations

import pytest

from caseapp.cli import main
from caseapp.clients import banking
from caseapp.clients.models import ACTIVE, PENDING
from caseapp.core.audit import Actor
from tests.clients.factories import make_client, make_work

IBAN = "DE89370400440532013000"


@pytest.mark.parametrize("login", ["handler", "lawyer", "auditor", "crawler"])
def test_only_a_person_who_may_confirm_confirms_a_bank_account_on_the_command_line(app, db_session, users, login):
    holder = make_client(db_session)
    account = banking.request_account(db_session, Actor.of(users["accountant"]), holder.id, "Anna Maler", IBAN)
    runner = app.test_cli_runner()
    for verb, extra in (("confirm", []), ("reject", ["--reason", "looks wrong"])):
        result = runner.invoke(main, ["clients", "bank", verb, str(account.id), "--as", login, *extra])
        assert result.exit_code != 0 and "may not" in result.output, result.output
    db_session.refresh(account)
    assert account.status == PENDING and banking.payout_account(db_session, holder.id) is None
    result = runner.invoke(main, ["clients", "bank", "confirm", str(account.id), "--as", "admin"])
    assert result.exit_code == 0, result.output
    db_session.refresh(account)
    assert account.status == ACTIVE


def test_a_handler_cannot_ask_for_a_bank_account_on_the_command_line(app, db_session):
    holder = make_client(db_session)
    result = app.test_cli_runner().invoke(main, ["clients", "bank", "request", str(holder.id), "--iban", IBAN,
                                                 "--holder", "Anna Maler", "--as", "handler"])
    assert result.exit_code != 0 and "may not" in result.output, result.output
    assert banking.accounts_of(db_session, holder.id) == []


def test_a_lawyer_cannot_verify_a_work_on_the_command_line(app, db_session):
    work = make_work(db_session, make_client(db_session), verified=False)
    result = app.test_cli_runner().invoke(main, ["works", "verify", str(work.id), "--evidence",
                                                 "RAW file from the camera", "--as", "lawyer"])
    assert result.exit_code != 0 and "may not" in result.output, result.output
    db_session.refresh(work)
    assert work.status == "unverified"
