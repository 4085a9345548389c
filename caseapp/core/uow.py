"""One unit of work: a use case runs in one transaction with its audit events; it commits
once at the end, or rolls back whole. Pages (core.web), commands (core.cli), the REST
endpoint and background tasks all run their use cases through it; nothing else commits.

File store writes follow it: the files a unit of work wrote are deleted again when it
rolls back (and those written in a savepoint that rolled back, when it ends), unless a
committed row names them (core.filestore). A rolled-back import leaves no orphan files."""
from __future__ import annotations

import contextlib
import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

from caseapp.core import filestore

log = logging.getLogger(__name__)


class _Journal:
    """The files a unit of work wrote, and those of them written in savepoints rolled back."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.written, self._token = filestore.start_journal()
        self.undone: list = []
        self._starts: dict = {}
        event.listen(session, "after_transaction_create", self._created)
        event.listen(session, "after_soft_rollback", self._rolled_back)

    def _created(self, session, transaction) -> None:
        if transaction.nested:
            self._starts[transaction] = len(self.written)

    def _rolled_back(self, session, previous) -> None:
        if previous.nested and previous in self._starts:
            self.undone.extend(self.written[self._starts.pop(previous):])

    def discard(self, paths) -> None:
        """Delete the files no committed row names; a failure here never hides the real one."""
        if not paths:
            return
        try:
            with self.session.no_autoflush:
                filestore.discard_unreferenced(self.session, list(paths))
            self.session.rollback()   # the look-up's transaction
        except Exception:  # noqa: BLE001
            log.exception("could not remove files written by a rolled-back unit of work")

    def committed(self) -> None:
        self.discard(self.undone)
        self.written.clear()
        self.undone.clear()
        self._starts.clear()

    def close(self) -> None:
        event.remove(self.session, "after_transaction_create", self._created)
        event.remove(self.session, "after_soft_rollback", self._rolled_back)
        filestore.end_journal(self._token)


_JOURNALS: dict[int, _Journal] = {}


@contextlib.contextmanager
def unit_of_work(session: Session):
    """Yield `session`; commit when the block ends, roll back if it raises (and re-raise).
    Files the block wrote to a store are deleted again on rollback unless a row names them."""
    journal = _Journal(session)
    _JOURNALS[id(session)] = journal
    try:
        yield session
        session.commit()
        journal.committed()
    except BaseException:
        session.rollback()
        journal.discard(journal.written)
        raise
    finally:
        _JOURNALS.pop(id(session), None)
        journal.close()


def checkpoint(session: Session) -> None:
    """Commit what a long unit of work has done so far (e.g. every 500 lines of an ingest,
    each line whole on its own): what is committed stays if the rest fails."""
    session.commit()
    journal = _JOURNALS.get(id(session))
    if journal is not None:
        journal.committed()
