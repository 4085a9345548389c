"""Today's date where the firm works (legal dates are calendar dates)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Europe/Berlin"


def today() -> date:
    """Today in the firm's time zone (CASEAPP_TIMEZONE)."""
    zone = current_app.config["CASEAPP_TIMEZONE"] if has_app_context() else DEFAULT_TIMEZONE
    return datetime.now(ZoneInfo(zone)).date()


def day_of(moment: datetime | None) -> date | None:
    """The calendar day a UTC timestamp falls on where the firm works (CASEAPP_TIMEZONE): a case
    closed at 23:30 UTC on 1 Dec was closed on 2 Dec in Berlin."""
    if moment is None:
        return None
    zone = current_app.config["CASEAPP_TIMEZONE"] if has_app_context() else DEFAULT_TIMEZONE
    return moment.astimezone(ZoneInfo(zone)).date()
