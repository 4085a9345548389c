"""core.bulk: rows written in bulk (COPY on PostgreSQL, one INSERT elsewhere) read back as the
ORM would have written them: ids in order, JSON, UTC timestamps, Python-side defaults."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from caseapp.core import bulk
from caseapp.core.audit import AuditEvent
from caseapp.ledger.models import LedgerTransaction


def test_rows_read_back_as_written_with_ids_in_order(db_session):
    at = datetime(2026, 11, 23, 9, 30, 15, tzinfo=timezone.utc)
    rows = [{"occurred_at": at, "actor_id": None, "actor_name": "bulk", "action": "test.bulk",
             "subject_type": "test", "subject_id": n, "case_id": None, "from_state": None, "to_state": None,
             "reason": "ä ö ü \\ \t tab, quote ' \"", "details": {"n": n, "list": [1, "two"], "none": None}}
            for n in range(3)]
    ids = bulk.insert_rows(db_session, AuditEvent.__table__, rows, ids=True)
    assert len(ids) == 3 and ids == sorted(ids)
    found = {e.id: e for e in db_session.scalars(select(AuditEvent).where(AuditEvent.id.in_(ids)))}
    for n, event_id in enumerate(ids):
        event = found[event_id]
        assert (event.subject_id, event.details, event.occurred_at) == (n, {"n": n, "list": [1, "two"], "none": None},
                                                                        at)
        assert event.reason == "ä ö ü \\ \t tab, quote ' \""
    # without ids: nothing returned, rows there; a Python-side default (posted_at) is filled in
    before = db_session.query(LedgerTransaction).count()
    assert bulk.insert_rows(db_session, LedgerTransaction.__table__,
                            [{"kind": "test", "description": "d", "booked_on": at.date(), "posted_by": "bulk"}]) == []
    assert db_session.query(LedgerTransaction).count() == before + 1
    latest = db_session.scalars(select(LedgerTransaction).order_by(LedgerTransaction.id.desc())).first()
    assert latest.posted_at is not None and latest.posted_at.tzinfo is not None
    assert bulk.insert_rows(db_session, AuditEvent.__table__, [], ids=True) == []
