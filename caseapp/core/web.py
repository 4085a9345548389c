"""Small helpers the domains' views share: who is acting, and turning a
refused action into a message on the page."""
from __future__ import annotations

from flask import flash
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from caseapp.core.audit import Actor
from caseapp.core.errors import Refusal
from caseapp.core.uow import unit_of_work
from caseapp.extensions import get_session


def can(action: str, resource: str) -> bool:
    """Whether the logged-in user holds `action` on `resource` (the permission matrix)."""
    from flask import current_app

    return current_app.appbuilder.sm.has_access(f"can_{action}", resource)


def current_actor() -> Actor:
    return Actor.of(current_user)


STALE = ("Someone else changed this record at the same moment. Reload the page "
         "to see their change, then make yours again.")


def attempt(action):
    """Run `action(session)` in one transaction: (True, its result) committed, or
    (False, the rule's message) rolled back."""
    try:
        with unit_of_work(get_session()) as session:
            result = action(session)
    except Refusal as error:
        return False, str(error)
    except StaleDataError:
        return False, STALE
    return True, result


def run_action(action, success: str | None = None) -> bool:
    """Run `action(session)` in one transaction. Commit and flash `success`, or
    roll back and flash the rule's message. Returns whether it succeeded."""
    ok, result = attempt(action)
    if not ok:
        flash(result, "danger")
        return False
    if success:
        flash(success(result) if callable(success) else success, "success")
    return True


def wants_json() -> bool:
    """The page's script asked (fetch with Accept: application/json), not a plain form."""
    from flask import request

    return request.accept_mimetypes.best == "application/json"
