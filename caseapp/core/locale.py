"""Which language and time zone a page is shown in (Flask-Babel's selectors, in place of
Flask-AppBuilder's, which read a session value its flag menu set).

Language: the person's preference (Profile), else the browser's best match among the app's
languages (Accept-Language), else the firm's default (CASEAPP_LOCALE). Time zone: the person's
preference, else the firm's (CASEAPP_TIMEZONE). Outside a request (commands, jobs): the firm's."""
from __future__ import annotations

from flask import Flask, current_app, has_request_context, request


# What a request chose is kept on the request itself (not on `g`, which tests share between requests).
_UNSET = object()


def _preference():
    """The logged-in person's preference row (once a request), or None."""
    if getattr(request, "caseapp_preference", _UNSET) is _UNSET:
        from flask_login import current_user

        from caseapp.core.preferences import preference_of
        from caseapp.extensions import get_session

        user_id = getattr(current_user, "id", None) if current_user and current_user.is_authenticated else None
        request.caseapp_preference = preference_of(get_session(), user_id)
    return request.caseapp_preference


def firm_locale() -> str:
    return current_app.config.get("CASEAPP_LOCALE") or "en"


def firm_timezone() -> str:
    return current_app.config.get("CASEAPP_TIMEZONE") or "UTC"


def select_locale() -> str:
    if not has_request_context():
        return firm_locale()
    if getattr(request, "caseapp_locale", None) is None:   # once a request: every amount and date asks
        languages = current_app.config.get("LANGUAGES") or {}
        preference = _preference()
        if preference is not None and preference.locale in languages:
            request.caseapp_locale = preference.locale
        else:
            request.caseapp_locale = request.accept_languages.best_match(list(languages)) or firm_locale()
    return request.caseapp_locale


def select_timezone() -> str:
    if has_request_context():
        preference = _preference()
        if preference is not None and preference.timezone:
            return preference.timezone
    return firm_timezone()


def forget() -> None:
    """After a person changed their preference: this request's choice is made again."""
    from flask_babel import refresh

    request.caseapp_preference = _UNSET
    request.caseapp_locale = None
    refresh()


def install(app: Flask) -> None:
    """Replace Flask-AppBuilder's selectors (its BabelManager sets one from the session)."""
    from flask_babel import get_babel

    babel = get_babel(app)
    babel.locale_selector = select_locale
    babel.timezone_selector = select_timezone
    # Flask-Babel keeps its choice on the app context; a request that finds one already pushed
    # (a test's, a command's) chooses again instead of taking the last request's language.
    app.before_request(_choose_again)


def _choose_again() -> None:
    from flask_babel import refresh

    refresh()
