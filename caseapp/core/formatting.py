"""How amounts, dates and stages read on the pages (Babel, the user's locale)."""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime, format_skeleton
from flask import Flask

from caseapp.core.money import Money

DEFAULT_LOCALE = "en"


def current_locale() -> str:
    """The locale pages are formatted in: the person's (core.locale: their preference, else their
    browser's language, else the firm's) in a request; CASEAPP_LOCALE elsewhere in the app (commands);
    else English."""
    from flask import current_app, has_app_context, has_request_context

    if has_request_context():
        from caseapp.core.locale import select_locale

        return select_locale()
    return current_app.config.get("CASEAPP_LOCALE") or DEFAULT_LOCALE if has_app_context() else DEFAULT_LOCALE


def current_timezone() -> str:
    """The time zone timestamps are shown in: the person's (core.locale) in a request, else the
    firm's (CASEAPP_TIMEZONE), else UTC outside the app."""
    from flask import has_app_context

    if not has_app_context():
        return "UTC"
    from caseapp.core.locale import select_timezone

    return select_timezone()


def money(value: Money | None, locale: str | None = None) -> str:
    return "—" if value is None else value.format(locale or current_locale())


def day(value: date | None, locale: str | None = None) -> str:
    """'Fri 5 Jun 2026' (in English; the locale's own order and words otherwise)."""
    if value is None:
        return "—"
    locale = locale or current_locale()
    if locale.startswith("en"):
        return format_date(value, "EEE d MMM y", locale=locale)
    return format_skeleton("yMMMEd", value, locale=locale)   # the locale's own order: 'Fr., 5. Juni 2026'



def timestamp(value: datetime | None, locale: str | None = None, zone: str | None = None) -> str:
    """'23 Nov 2026, 15:05' in the person's time zone (their preference, else the firm's)."""
    from zoneinfo import ZoneInfo

    if value is None:
        return "—"
    locale = locale or current_locale()
    tz = ZoneInfo(zone or current_timezone())
    if locale.startswith("en"):
        return format_datetime(value, "d MMM y, HH:mm", tzinfo=tz, locale=locale)
    local = value.astimezone(tz)   # the locale's own day ('1. Juni 2025, 05:35'), then the time
    return f"{format_skeleton('yMMMd', local, locale=locale)}, {format_datetime(local, 'HH:mm', tzinfo=tz, locale=locale)}"


def clock(value: datetime | None, locale: str | None = None, zone: str | None = None) -> str:
    """'15:05': the time of day in the person's time zone (where the day is shown beside it)."""
    from zoneinfo import ZoneInfo

    if value is None:
        return "—"
    tz = ZoneInfo(zone or current_timezone())
    return format_datetime(value, "HH:mm", tzinfo=tz, locale=locale or current_locale())


def due_in_words(due: date | None, today: date) -> str:
    """'due today', 'due in 3 days', '2 days overdue'."""
    from flask_babel import gettext, ngettext

    if due is None:
        return gettext("no due date")
    delta = (due - today).days
    if delta == 0:
        return gettext("due today")
    if delta == 1:
        return gettext("due tomorrow")
    if delta > 1:
        return ngettext("due in %(num)d day", "due in %(num)d days", delta)
    return ngettext("%(num)d day overdue", "%(num)d days overdue", -delta)


def due_state(due: date | None, today: date) -> str:
    """A CSS hint: overdue, today, soon (3 days), later."""
    if due is None:
        return "none"
    delta = (due - today).days
    if delta < 0:
        return "overdue"
    if delta == 0:
        return "today"
    return "soon" if delta <= 3 else "later"


# Dates outside these years are typing errors (9999-06-01, 0202-01-01), and past them date
# arithmetic (a limitation period, a deadline) would overflow.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2200, 12, 31)


def iso_day(text: str) -> date:
    """A date typed as YYYY-MM-DD (ASCII digits), between 1900 and 2200; else InvalidInput
    saying what is accepted. Pages (`day_typed`) and commands (core.cli.date_option) read dates here."""
    import re

    from flask_babel import gettext

    from caseapp.core.errors import InvalidInput
    from caseapp.core.money import shown

    try:
        day = date.fromisoformat(text) if isinstance(text, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
                                                                               text) else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidInput(gettext("%(typed)s is not a date: write it as YYYY-MM-DD, e.g. 2026-02-01.",
                                   typed=shown(text)))
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(gettext("%(typed)s is out of range: use a date between %(first)s and %(last)s.",
                                   typed=shown(text), first=FIRST_DAY.year, last=LAST_DAY.year))
    return day


def day_typed(text: str, field: str) -> date:
    """A date typed in a form field (`iso_day`), refused naming the field."""
    from caseapp.core.errors import InvalidInput

    try:
        return iso_day(text)
    except InvalidInput as error:
        raise InvalidInput(f"{field}: {error}") from None


def amount_typed(text: str, currency: str, field: str, locale: str | None = None) -> Money:
    """An amount a user typed in a form field, read in the user's locale (`Money.parse_local`):
    German '1.234,50' and English '1,234.50' are 1234.50; what the locale does not write is
    refused naming the field, with an example in the user's locale. Every form that takes an
    amount reads it here."""
    from caseapp.core.errors import InvalidInput

    try:
        return Money.parse_local(text, currency, locale or current_locale())
    except InvalidInput as error:
        raise InvalidInput(f"{field}: {error}") from None


def amount_input(value: Money, locale: str | None = None) -> str:
    """An amount as a form field shows it, so that it reads back unchanged: '1,234.50' (en),
    '1.234,50' (de); no currency sign (the label names the currency)."""
    from babel.numbers import format_decimal

    from caseapp.core.money import minor_digits

    digits = minor_digits(value.currency)
    return format_decimal(value.to_decimal(), format="#,##0" + ("." + "0" * digits if digits else ""),
                          locale=locale or current_locale())


def number(value, pattern: str = "0.00", locale: str | None = None) -> str:
    """A number as the reader's language writes it: a score 0.61 reads '0,61' in German; a share
    of 70.5 with pattern '0.#' reads '70,5' (and 70 reads '70')."""
    from babel.numbers import format_decimal

    return "—" if value is None else format_decimal(value, format=pattern, locale=locale or current_locale())


def money_text(text: str, currency: str, locale: str | None = None) -> str:
    """An amount kept as text ("505.00") in a currency, formatted as `money` does."""
    return money(Money.parse(text, currency), locale)


def cell(value):
    """A value as Flask-AppBuilder's list and show pages print it (their templates under
    caseapp/templates/appbuilder pass every value through here): nothing as "—", a yes/no as
    "Yes"/"No", a list (a user's roles) as words joined by commas, a timestamp in the person's
    time zone, a date in their locale. Anything else as it is (text, numbers, markup)."""
    from collections.abc import Iterable

    from flask_babel import gettext
    from markupsafe import Markup

    if value is None or (isinstance(value, str) and not isinstance(value, Markup) and value == ""):
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, date):
        return day(value)
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes, dict)):
        words = [str(cell(item)) for item in value]
        return ", ".join(words) if words else "—"
    return value


def person(login: str | None) -> str:
    """A login as people call its user ("Hanna Berger"); the login itself for a system actor or an
    account without a name (looked up once per request)."""
    from flask import current_app, g

    if not login:
        return "—"
    known = g.setdefault("caseapp_people", {})
    if login not in known:
        user = current_app.appbuilder.sm.find_user(username=login)
        name = " ".join(part for part in (getattr(user, "first_name", None), getattr(user, "last_name", None))
                        if part and part.strip())
        known[login] = name or login
    return known[login]


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        money=money, money_text=money_text, amount_input=amount_input, day=day, timestamp=timestamp, clock=clock, cell=cell,
        number=number, person=person,
    )
    app.jinja_env.globals.update(due_in_words=due_in_words, due_state=due_state,
                                 page_language=lambda: current_locale().split("_")[0])
    # {% trans %} blocks read as one line, as lint/translations.py extracts them.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    from caseapp.core.i18n import script_words

    app.jinja_env.filters["script_words"] = script_words
