"""`caseapp cases reopen REF --reason TEXT --user LOGIN`: the page's rule on the command line,
the permission matrix included."""
from __future__ import annotations

import pytest

from caseapp.cases import lifecycle, services
from caseapp.cases.models import Case
from caseapp.cli import main
from caseapp.core.audit import Actor
from tests.cases.factories import make_case
from tests.conftest import TODAY


def closed(session, stage=lifecycle.FINAL_DEMAND):
    case = make_case(session, stage)
    services.change_stage(session, Actor.system("test"), case, lifecycle.CLOSED, today=TODAY, reason="uncollectable")
    session.commit()
    return case


def reopen(app, *args):
    return app.test_cli_runner().invoke(main, ["cases", "reopen", *args])


def stage_of(session, case) -> str:
    session.expire_all()
    return session.get(Case, case.id).stage


@pytest.mark.parametrize("login", ["handler", "lawyer", "admin"])
def test_who_may_reopen_reopens_from_the_command_line(app, db_session, login):
    case = closed(db_session)
    result = reopen(app, case.ref, "--reason", "The party's new address was found", "--user", login,
                    "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{case.ref} reopened: back to Final demand; next: Decide: collection or lawyer, "
                                    "due 2026-")
    assert stage_of(db_session, case) == lifecycle.FINAL_DEMAND


@pytest.mark.parametrize("login", ["accountant", "auditor"])
def test_who_may_not_is_refused_and_nothing_changes(app, db_session, login):
    case = closed(db_session)
    result = reopen(app, case.ref, "--reason", "because", "--user", login)
    assert result.exit_code == 2
    assert f"--user: '{login}' may not do this (Case can_reopen, docs/permissions.md)" in result.output
    assert stage_of(db_session, case) == lifecycle.CLOSED


def test_an_open_case_is_refused_in_one_line(app, db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    db_session.commit()
    result = reopen(app, case.ref, "--reason", "because", "--user", "handler")
    assert result.exit_code == 2
    assert result.output.strip() == (f"Error: {case.ref} is not closed (it is Offer sent): only a closed case can "
                                     "be reopened.")


@pytest.mark.parametrize("reason, ok", [("r" * 2000, True), ("r" * 2001, False), (" ", False)])
def test_the_reason_is_required_and_at_most_2000_characters(app, db_session, reason, ok):
    case = closed(db_session)
    result = reopen(app, case.ref, "--reason", reason, "--user", "handler")
    assert (result.exit_code == 0) == ok, result.output
    assert stage_of(db_session, case) == (lifecycle.FINAL_DEMAND if ok else lifecycle.CLOSED)
    if not ok:
        assert "--reason" in result.output
