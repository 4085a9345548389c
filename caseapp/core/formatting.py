"""How amounts, dates and stages read on the pages (Babel, the user's locale)."""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime, format_skeleton
from flask import Flask

from caseapp.core.money import Money

DEFAULT_LOCALE = "en"


def current_locale() -> str:
    """The locale pages are formatted in: CASEAPP_LOCALE inside the app, else English."""
    from flask import current_app, has_app_context

    return current_app.config.get("CASEAPP_LOCALE") or DEFAULT_LOCALE if has_app_context() else DEFAULT_LOCALE


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



def timestamp(value: datetime | None, locale: str | None = None) -> str:
    if value is None:
        return "—"
    return format_datetime(value, "d MMM y, HH:mm", tzinfo="UTC", locale=locale or current_locale()) + " UTC"


def due_in_words(due: date | None, today: date) -> str:
    """'due today', 'due in 3 days', '2 days overdue'."""
    if due is None:
        return "no due date"
    delta = (due - today).days
    if delta == 0:
        return "due today"
    if delta == 1:
        return "due tomorrow"
    if delta > 1:
        return f"due in {delta} days"
    if delta == -1:
        return "1 day overdue"
    return f"{-delta} days overdue"


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


def money_text(text: str, currency: str, locale: str | None = None) -> str:
    """An amount kept as text ("505.00") in a currency, formatted as `money` does."""
    return money(Money.parse(text, currency), locale)


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        money=money, money_text=money_text, day=day, timestamp=timestamp,
    )
    app.jinja_env.globals.update(due_in_words=due_in_words, due_state=due_state)
