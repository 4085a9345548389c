"""What every domain's commands share: the session of the app's database, one unit of work
per command, a rule's refusal as one clear line with exit status 2, and the --json flag."""
from __future__ import annotations

import contextlib

import click


def session():
    from caseapp.extensions import get_session

    return get_session()


class Refused(click.ClickException):
    """A refusal: 'Error: <what is wrong and what to do>' on stderr, exit status 2."""

    exit_code = 2


@contextlib.contextmanager
def refusals():
    """A rule's refusal (Refusal) stops the command with the rule's message."""
    from caseapp.core.errors import Refusal

    try:
        yield
    except Refusal as error:
        raise Refused(str(error)) from None


@contextlib.contextmanager
def transaction():
    """The session, committed once at the end of the block; a refusal rolls everything back
    and stops the command with the rule's message (nothing half-written)."""
    from caseapp.core.uow import unit_of_work

    with refusals(), unit_of_work(session()) as current:
        yield current


def report(row: dict, *, as_json: bool, label: str) -> None:
    """One result of a command that works line by line or file by file: the row as a JSON
    line, or (as text) only its error, on stderr, after `label` (the file or source)."""
    import json

    if as_json:
        click.echo(json.dumps(row, ensure_ascii=False))
    elif row.get("error"):
        click.echo(f"{label}: {row['error']}", err=True)
