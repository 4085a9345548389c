"""Today's date where the firm works (legal dates are calendar dates)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Europe/Berlin"


def today() -> date:
    zone = DEFAULT_TIMEZONE
    if has_app_context():
        zone = current_app.config.get("CASEAPP_TIMEZONE", DEFAULT_TIMEZONE)
    return datetime.now(ZoneInfo(zone)).date()
