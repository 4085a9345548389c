"""Work that runs after a page's transaction committed, so the page does not wait for it. Inline
today (CASEAPP_JOBS=inline): a thread of this process takes the items one after another, each in
the app's context with a session of its own; one item's failure is logged and never stops the
others. The domains' tasks modules say what the work is; Celery takes this place when jobs
arrive (issue 20)."""
from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


def one_by_one_soon(app, name: str, items, work, *, setting: str) -> threading.Thread | None:
    """Run `work(item)` for each of `items` (sorted, each once) in a thread named `name`, when the
    app's `setting` is on (the tests turn these off). Returns the thread, or None when nothing runs."""
    items = sorted(set(items))
    if not items or not app.config.get(setting):
        return None

    def run():
        from caseapp.extensions import get_db

        with app.app_context():
            for item in items:
                try:
                    work(item)
                except Exception:  # noqa: BLE001  (one item's trouble never stops the others)
                    log.exception("%s: %r failed", name, item)
                finally:
                    get_db().session.remove()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread
