"""Small helpers the domains' views share: who is acting, and turning a
refused action into a message on the page."""
from __future__ import annotations

from flask import flash
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from caseapp.core.audit import Actor
from caseapp.core.errors import DomainError
from caseapp.extensions import get_session


def current_actor() -> Actor:
    return Actor.of(current_user)


def run_action(action, success: str | None = None) -> bool:
    """Run `action(session)` in one transaction. Commit and flash `success`, or
    roll back and flash the rule's message. Returns whether it succeeded."""
    session = get_session()
    try:
        result = action(session)
        session.commit()
    except DomainError as error:
        session.rollback()
        flash(str(error), "danger")
        return False
    except StaleDataError:
        session.rollback()
        flash("Someone else changed this record at the same moment. Reload the page "
              "to see their change, then make yours again.", "danger")
        return False
    if success:
        flash(success(result) if callable(success) else success, "success")
    return True
