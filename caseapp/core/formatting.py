"""How amounts, dates and stages read on the pages (Babel, the user's locale)."""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime
from flask import Flask

from caseapp.core.money import Money

DEFAULT_LOCALE = "en"


def whole_number(value) -> int | None:
    """A row id or count typed or linked by a person, or None when it is not one ('²', '-3',
    a 30-digit number): bad input in a query string never reaches the database."""
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 12 else None


def money(value: Money | None, locale: str = DEFAULT_LOCALE) -> str:
    return "—" if value is None else value.format(locale)


def day(value: date | None, locale: str = DEFAULT_LOCALE) -> str:
    """'Fri 5 Jun 2026'."""
    if value is None:
        return "—"
    return format_date(value, "EEE d MMM y", locale=locale)


def timestamp(value: datetime | None, locale: str = DEFAULT_LOCALE) -> str:
    if value is None:
        return "—"
    return format_datetime(value, "d MMM y, HH:mm", tzinfo="UTC", locale=locale) + " UTC"


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


def money_text(text: str, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """An amount kept as text ("505.00") in a currency, formatted as `money` does."""
    return money(Money.parse(text, currency), locale)


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        money=money, money_text=money_text, day=day, timestamp=timestamp,
    )
    app.jinja_env.globals.update(due_in_words=due_in_words, due_state=due_state)
