"""Background jobs of the evidence domain: ids in, a service call in its own unit of work, nothing
else. With no broker (CASEAPP_BROKER_URL unset): `capture_hits_soon` runs them in a thread of this
process after the deciding transaction committed, so a triage page does not wait for Chromium."""
from __future__ import annotations

import threading

from caseapp.core.jobs import background


def _store_and_settings():
    from flask import current_app

    from caseapp.core.filestore import FileStore
    from caseapp.evidence.services import Settings

    return FileStore(current_app.config["CASEAPP_FILESTORE_PATH"]), Settings.of(current_app.config)


@background("evidence.capture_hit")
def capture_hit(hit_id: int, actor_name: str = "evidence capture") -> int | None:
    """Capture a hit's page: where it is read in one unit of work, the capture made outside any
    transaction, the result stored in another. A failure is recorded (evidence.capture_failed),
    never raised; returns the capture's id or None."""
    from caseapp.core.audit import Actor
    from caseapp.core.errors import Refusal
    from caseapp.core.uow import unit_of_work
    from caseapp.evidence import services
    from caseapp.extensions import get_session

    store, settings = _store_and_settings()
    actor = Actor.system(actor_name)
    try:
        with unit_of_work(get_session()) as session:
            use = services.hit_target(session, hit_id)
    except Refusal:
        return None                      # the hit is gone meanwhile: nothing to capture
    captured, error = services.take_or_error(use["page_url"], use["image_url"], settings)
    try:
        with unit_of_work(get_session()) as session:
            if captured is not None:
                return services.record_hit_capture(session, actor, store, hit_id, captured).id
    except Refusal as refusal:
        error = str(refusal)
    with unit_of_work(get_session()) as session:
        services.record_failure(session, actor, use["page_url"], error, case_id=use["case_id"], hit_id=hit_id,
                                kind="hit")
    return None


@background("evidence.takedown_check")
def takedown_check(item_id: int, actor_name: str = "evidence check-due"):
    """A take-down check of one case item (services.record_takedown), the capture made between two
    short units of work."""
    from caseapp.core.audit import Actor
    from caseapp.core.uow import unit_of_work
    from caseapp.evidence import services
    from caseapp.extensions import get_session

    store, settings = _store_and_settings()
    with unit_of_work(get_session()) as session:
        item = services.takedown_target(session, item_id)
    captured, error = services.take_or_error(item.page_url, item.image_url, settings)
    with unit_of_work(get_session()) as session:
        return services.record_takedown(session, Actor.system(actor_name), store, item_id, captured, error=error)


@background("evidence.check_due")
def check_due() -> int:
    """The daily take-down checks (celery beat; by hand `caseapp evidence check-due`): one task per
    case item due a check, so that each runs, and is retried, on its own. Returns how many."""
    from flask import current_app

    from caseapp.core.jobs import enqueue
    from caseapp.core.models import utcnow
    from caseapp.core.uow import unit_of_work
    from caseapp.evidence import services
    from caseapp.extensions import get_session

    with unit_of_work(get_session()) as session:
        due = services.due_checks(session, utcnow(), current_app.config["CASEAPP_TAKEDOWN_CHECK_DAYS"])
    for item_id in due:
        enqueue(current_app, "evidence.takedown_check", item_id)
    return len(due)


def capture_hits_soon(app, hit_ids) -> threading.Thread | None:
    """Capture these hits' pages one after another in a thread of this process (after the commit
    that decided them illegal). Off when CASEAPP_CAPTURE_ON_DECIDE is off (the tests)."""
    from caseapp.core.jobs import one_by_one_soon

    return one_by_one_soon(app, "evidence-capture", hit_ids, capture_hit, setting="CASEAPP_CAPTURE_ON_DECIDE")
