"""What every domain's commands share: the session of the app's database, one unit of work
per command, a rule's refusal as one clear line with exit status 2, the --json flag, and
the options that take amounts, currencies and dates (one parser each, one line when refused)."""
from __future__ import annotations

import contextlib
import re
from datetime import date

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


# --- values people type: amounts, currencies, dates ------------------------------------------

# Dates outside these years are typing errors (9999-06-01, 0202-01-01), and past them date
# arithmetic (a limitation period, a deadline) would overflow.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2200, 12, 31)
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def option_name(param: click.Parameter) -> str:
    """'--amount' (an option) or 'FOLDER' (an argument): how the user named it."""
    return param.opts[0] if isinstance(param, click.Option) else param.human_readable_name


def _refused(param: click.Parameter, error) -> Refused:
    return Refused(f"{option_name(param)} {error}")


def parse_day(text: str, name: str) -> date:
    """A date typed on the command line: YYYY-MM-DD, between 1900 and 2200; anything else
    is refused in one line naming the option."""
    from caseapp.core.money import shown

    try:
        day = date.fromisoformat(text) if isinstance(text, str) and _ISO_DAY.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise Refused(f"{name} {shown(text)} is not a date: write it as YYYY-MM-DD, e.g. 2026-02-01.")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise Refused(f"{name} {shown(text)} is out of range: use a date between {FIRST_DAY.year} and "
                      f"{LAST_DAY.year}.")
    return day


def _day(_ctx, param, value):
    return None if value is None else parse_day(value, option_name(param))


def date_option(*param_decls: str, **kwargs):
    """An option that takes a date (YYYY-MM-DD, 1900-2200): a `date` or None reaches the command."""
    kwargs.setdefault("metavar", "YYYY-MM-DD")
    return click.option(*param_decls, callback=_day, **kwargs)


def _currency(_ctx, param, value):
    from caseapp.core.errors import InvalidInput
    from caseapp.core.money import currency_code

    if value is None:
        return None
    try:
        return currency_code(value)
    except InvalidInput as error:
        raise _refused(param, error) from None


def currency_option(*param_decls: str, **kwargs):
    """An option that names a currency (ISO 4217, any case): the code ('EUR') reaches the command.
    It is read before the amounts that depend on it, wherever it stands on the line."""
    kwargs.setdefault("metavar", "CODE")
    return click.option(*param_decls, callback=_currency, is_eager=True, **kwargs)


def amount_option(*param_decls: str, currency: str = "currency", zero_ok: bool = False, **kwargs):
    """An option that takes an amount in the currency of the option `currency` (declare it with
    `currency_option`): digits with an optional dot and at most the currency's decimals
    (`Money.parse_plain`); a `Money` reaches the command. `zero_ok=False` refuses 0 as well:
    a claim of nothing is a typing error, and a case that claims nothing is closed instead."""

    def convert(ctx, param, value):
        from caseapp.core.errors import InvalidInput
        from caseapp.core.money import Money

        if value is None:
            return None
        code = ctx.params.get(currency)
        if code is None:   # the currency was not given: its own option says so
            raise Refused(f"{option_name(param)} needs --{currency}: the currency of the amount, e.g. EUR.")
        try:
            amount = Money.parse_plain(value, code)
        except InvalidInput as error:
            raise _refused(param, error) from None
        if not amount and not zero_ok:
            raise Refused(f"{option_name(param)} is 0: a claim must be more than 0 {code}.")
        return amount

    kwargs.setdefault("metavar", "AMOUNT")
    return click.option(*param_decls, callback=convert, **kwargs)
