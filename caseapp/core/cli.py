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


# --- values people type: numbers, ids, text, amounts, currencies, dates ----------------------

class WholeNumber(click.IntRange):
    """A count or a row id: ASCII digits in a range. Python's int() also reads '١٢٣' and
    '1_000', and an unbounded int overflows the database ('1' and 30 zeros): refused here,
    naming the option, as click refuses any bad value (exit status 2)."""

    name = "whole number"

    def convert(self, value, param, ctx):
        if isinstance(value, str) and not (value.isascii() and value.isdecimal() and len(value) <= 12):
            self.fail(f"{_shown(value)} is not a whole number: write digits only"
                      + (f", from {self.min} to {self.max}." if self.max is not None else "."), param, ctx)
        return super().convert(value, param, ctx)


# A row's id: its column is a 32-bit integer on PostgreSQL.
ROW_ID = WholeNumber(1, 2**31 - 1)


class Score(click.ParamType):
    """A score or share between 0 and 1 ('0.85'): ASCII digits and a dot. float() would take
    'nan', '1e30' and unicode digits, and a threshold of 1e30 turns every hit into no match."""

    name = "score"

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        if isinstance(value, str) and re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,6})?", value) and 0 <= float(value) <= 1:
            return float(value)
        self.fail(f"{_shown(value)} is not a score: write a number from 0 to 1, e.g. 0.85.", param, ctx)


class Text(click.ParamType):
    """Text a person types for a name, a code or an address: not blank, no control characters,
    at most `max_length` characters; with `pattern`, only what it matches (`what` says what)."""

    name = "text"

    def __init__(self, max_length: int = 200, pattern: str | None = None, what: str = "") -> None:
        self.max_length = max_length
        self.pattern = re.compile(pattern) if pattern else None
        self.what = what

    def convert(self, value, param, ctx):
        if not isinstance(value, str):
            return value
        if not value.strip():
            self.fail("is empty: give a value.", param, ctx)
        if not value.isprintable():
            self.fail(f"{_shown(value)} has control characters (a newline, a tab).", param, ctx)
        if len(value) > self.max_length:
            self.fail(f"{_shown(value)} is longer than {self.max_length} characters.", param, ctx)
        if self.pattern and not self.pattern.fullmatch(value):
            self.fail(f"{_shown(value)} is not {self.what}.", param, ctx)
        return value


def _shown(value) -> str:
    from caseapp.core.money import shown

    return shown(value)




def option_name(param: click.Parameter) -> str:
    """'--amount' (an option) or 'FOLDER' (an argument): how the user named it."""
    return param.opts[0] if isinstance(param, click.Option) else param.human_readable_name


def _refused(param: click.Parameter, error) -> Refused:
    return Refused(f"{option_name(param)} {error}")


def parse_day(text: str, name: str) -> date:
    """A date typed on the command line: YYYY-MM-DD, between 1900 and 2200
    (core.formatting.iso_day); anything else is refused in one line naming the option."""
    from caseapp.core.errors import InvalidInput
    from caseapp.core.formatting import iso_day

    try:
        return iso_day(text)
    except InvalidInput as error:
        raise Refused(f"{name} {error}") from None


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


# Codes people type, checked for their form here (whether the code is known is the service's rule).
COUNTRY = Text(2, r"[A-Za-z]{2}", "an ISO country code: two letters, e.g. DE")
SUBDIVISION = Text(10, r"[A-Za-z0-9-]{1,10}", "a state or region code, e.g. NW")
LOGIN = Text(64, r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}", "a login: letters, digits, '.', '_', '@', '-'")
MIN_PASSWORD = 12


def _password(_ctx, param, value):
    if value is not None and len(value) < MIN_PASSWORD:
        raise click.BadParameter(f"is shorter than {MIN_PASSWORD} characters: choose a longer one.", param=param)
    return value


def password_option(*param_decls: str, **kwargs):
    """click's password prompt (typed twice), refusing passwords under MIN_PASSWORD characters."""
    return click.password_option(*param_decls, type=Text(128), callback=_password, **kwargs)


def acting_user(login: str | None, *, option: str, may: tuple[str, str] | None = None,
                default: str | None = None, who: str = "a person whose role allows it"):
    """The person a command acts as (`--as LOGIN` / `--user LOGIN`): an active user who, where
    `may` (action, resource) is given, holds the permission the page would ask of them, so the
    command line is no way around the permission matrix (docs/permissions.md). Without a login,
    the command itself acts (`default`) where the command allows that; else one line refuses."""
    from flask import current_app

    from caseapp.core.audit import Actor

    if not login:
        if default is None:
            raise Refused(f"{option}: give the login of the person who acts.")
        return Actor.system(default)
    sm = current_app.appbuilder.sm
    user = sm.find_user(username=login)
    if user is None:
        raise Refused(f"{option}: there is no user {login!r}; `caseapp users create` adds one.")
    if not user.is_active:
        raise Refused(f"{option}: the user {login!r} is disabled; name a person who may act.")
    if may is not None:
        action, resource = may
        if not sm._has_view_access(user, f"can_{action}", resource):
            raise Refused(f"{option}: {login!r} may not do this ({resource} can_{action}, docs/permissions.md); "
                          f"name {who}.")
    return Actor.of(user)
