"""Background jobs of the evidence domain: ids in, a service call in its own unit of work, nothing
else. Inline today (CASEAPP_JOBS=inline): `capture_hits_soon` runs them in a thread of this
process after the deciding transaction committed, so a triage page does not wait for Chromium."""
from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


def _store_and_settings():
    from flask import current_app

    from caseapp.core.filestore import FileStore
    from caseapp.evidence.services import Settings

    return FileStore(current_app.config["CASEAPP_FILESTORE_PATH"]), Settings.of(current_app.config)


def capture_hit(hit_id: int, actor_name: str = "evidence capture") -> int | None:
    """Capture a hit's page; a failure is recorded (evidence.capture_failed), never raised."""
    from caseapp.core.audit import Actor
    from caseapp.core.errors import Refusal
    from caseapp.core.uow import unit_of_work
    from caseapp.evidence import services
    from caseapp.extensions import get_session

    store, settings = _store_and_settings()
    actor = Actor.system(actor_name)
    try:
        with unit_of_work(get_session()) as session:
            return services.capture_hit(session, actor, store, hit_id, settings=settings).id
    except Refusal as error:
        with unit_of_work(get_session()) as session:
            from caseapp.hits import services as hits

            use = hits.hit_in_use(session, hit_id) or {}
            services.record_failure(session, actor, use.get("page_url", ""), str(error), case_id=use.get("case_id"),
                                    hit_id=hit_id, kind="hit")
        return None


def takedown_check(item_id: int, actor_name: str = "evidence check-due"):
    from caseapp.core.audit import Actor
    from caseapp.core.uow import unit_of_work
    from caseapp.evidence import services
    from caseapp.extensions import get_session

    store, settings = _store_and_settings()
    with unit_of_work(get_session()) as session:
        return services.check_takedown(session, Actor.system(actor_name), store, item_id, settings=settings)


def capture_hits_soon(app, hit_ids) -> threading.Thread | None:
    """Capture these hits' pages one after another in a thread of this process (after the commit
    that decided them illegal). Off when CASEAPP_CAPTURE_ON_DECIDE is off (the tests)."""
    ids = sorted(set(hit_ids))
    if not ids or not app.config.get("CASEAPP_CAPTURE_ON_DECIDE"):
        return None

    def run():
        from caseapp.extensions import get_db

        with app.app_context():
            for hit_id in ids:
                try:
                    capture_hit(hit_id)
                except Exception:  # noqa: BLE001  (one page's trouble never stops the others)
                    log.exception("capture of hit %s failed", hit_id)
                finally:
                    get_db().session.remove()

    thread = threading.Thread(target=run, name="evidence-capture", daemon=True)
    thread.start()
    return thread
