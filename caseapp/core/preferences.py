"""A person's own settings: their language and time zone (the Profile page), and changing their
own password. Plain functions taking a session and an `Actor`; every change is audited.

No row, or an empty value, means the firm's default: the language then follows the browser
(caseapp.core.locale), the time zone is CASEAPP_TIMEZONE."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from flask_babel import gettext
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from caseapp.core import audit
from caseapp.core.errors import InvalidInput
from caseapp.core.models import Model, UTCDateTime, utcnow

# A password a person chooses: at least this long (the demo passwords, "handler-demo", are 12).
PASSWORD_MIN_LENGTH = 10


class UserPreference(Model):
    """One row a person who chose something; not versioned: only its owner edits it."""

    __tablename__ = "user_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    locale: Mapped[str | None] = mapped_column(String(10))       # a key of LANGUAGES; None: the default
    timezone: Mapped[str | None] = mapped_column(String(64))     # an IANA name; None: CASEAPP_TIMEZONE
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)


@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    """Every IANA time zone name the system knows (zoneinfo)."""
    from zoneinfo import available_timezones

    return frozenset(available_timezones())


def check_time_zone(name: str) -> str:
    """An IANA time zone name as typed ('Europe/Berlin'), or InvalidInput saying what to write."""
    from caseapp.core.money import shown

    text = (name or "").strip()
    if text not in time_zones():
        raise InvalidInput(gettext("Time zone: %(typed)s is not a time zone name. Choose one from the list, "
                                   "written as Region/City, e.g. Europe/Berlin or America/New_York.", typed=shown(name)))
    return text


def preference_of(session: Session, user_id: int | None) -> UserPreference | None:
    return session.get(UserPreference, user_id) if user_id is not None else None


def set_preferences(session: Session, actor: audit.Actor, user_id: int, *, locale: str, timezone: str,
                    languages: dict) -> UserPreference:
    """Save a person's language and time zone ('' for either: the firm's default). A language
    the app does not offer, or a time zone zoneinfo does not know, is refused."""
    locale = (locale or "").strip()
    if locale and locale not in languages:
        offered = ", ".join(f"{code} ({entry['name']})" for code, entry in languages.items())
        raise InvalidInput(gettext("Language: %(typed)s is not one of the app's languages. Choose %(offered)s, or "
                                   "the firm's default.", typed=repr(locale), offered=offered))
    zone = check_time_zone(timezone) if (timezone or "").strip() else None
    preference = preference_of(session, user_id)
    before = {"locale": preference.locale, "timezone": preference.timezone} if preference else \
        {"locale": None, "timezone": None}
    if preference is None:
        preference = UserPreference(user_id=user_id)
        session.add(preference)
    preference.locale, preference.timezone = locale or None, zone
    after = {"locale": preference.locale, "timezone": preference.timezone}
    if after != before:
        audit.record(session, actor, "user.preferences_changed", "user", user_id,
                     details={"from": before, "to": after})
    return preference


def change_password(session: Session, actor: audit.Actor, user, *, current: str, new: str, repeated: str,
                    hash_password, check_password) -> None:
    """A person changes their own password: the current one must be right, the new one long
    enough, different and typed twice alike. `hash_password(text)` and `check_password(hash, text)`
    are the app's (Flask-AppBuilder's hashing settings)."""
    if not current or not check_password(user.password or "", current):
        raise InvalidInput(gettext("Current password: that is not your current password. Type it again; nothing "
                                   "was changed."))
    if len(new or "") < PASSWORD_MIN_LENGTH:
        raise InvalidInput(gettext("New password: use at least %(num)d characters; nothing was changed.",
                                   num=PASSWORD_MIN_LENGTH))
    if new != repeated:
        raise InvalidInput(gettext("Repeat the new password: the two new passwords differ. Type the same one "
                                   "twice; nothing was changed."))
    if new == current:
        raise InvalidInput(gettext("New password: it is the same as the current one. Choose another; nothing was "
                                   "changed."))
    user.password = hash_password(new)
    session.add(user)
    audit.record(session, actor, "user.password_changed", "user", user.id)
