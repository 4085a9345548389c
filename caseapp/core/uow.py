"""One unit of work: a use case runs in one transaction with its audit events; it commits
once at the end, or rolls back whole. Pages (core.web), commands (core.cli), the REST
endpoint and background tasks all run their use cases through it; nothing else commits."""
from __future__ import annotations

import contextlib

from sqlalchemy.orm import Session


@contextlib.contextmanager
def unit_of_work(session: Session):
    """Yield `session`; commit when the block ends, roll back if it raises (and re-raise)."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def checkpoint(session: Session) -> None:
    """Commit what a long unit of work has done so far (e.g. every 500 lines of an ingest,
    each line whole on its own): what is committed stays if the rest fails."""
    session.commit()
