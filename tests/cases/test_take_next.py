"""Take next: the top unassigned case, atomically."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, select

from caseapp.cases import services
from caseapp.cases.models import Case
from caseapp.core.audit import Actor, AuditEvent
from tests.cases.factories import make_case
from tests.clients.factories import make_client


def test_takes_the_top_of_the_queue(db_session, users):
    holder = make_client(db_session)
    late = make_case(db_session, "offer_sent", holder=holder, expected="900.00")
    late.next_due_on = late.next_due_on.replace(year=2030)
    urgent = make_case(db_session, "offer_sent", holder=holder, expected="100.00")
    db_session.flush()
    actor = Actor.of(users["handler"])
    taken = services.take_next(db_session, actor, client_id=holder.id)
    assert taken.id == urgent.id and taken.assignee_id == users["handler"].id
    assert services.take_next(db_session, actor, client_id=holder.id).id == late.id
    assert services.take_next(db_session, actor, client_id=holder.id) is None
    events = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "case.assigned", AuditEvent.case_id.in_([late.id, urgent.id]))).all()
    assert len(events) == 2 and {e.actor_name for e in events} == {"handler"}


def test_never_takes_closed_or_assigned_cases(db_session, users):
    holder = make_client(db_session)
    make_case(db_session, "closed", holder=holder)
    mine = make_case(db_session, "new", holder=holder)
    mine.assignee_id = users["handler2"].id
    db_session.flush()
    assert services.take_next(db_session, Actor.of(users["handler"]), client_id=holder.id) is None


def test_two_handlers_at_once_never_get_the_same_case(app, backend):
    """Two connections race for the same queue until it is empty: on PostgreSQL
    (row locks, SKIP LOCKED) and on SQLite (immediate transactions), no case is
    given twice and nobody gets an error."""
    from sqlalchemy.orm import sessionmaker

    from caseapp.extensions import get_db

    with app.app_context():
        engine = get_db().engine
        sessions = sessionmaker(bind=engine, expire_on_commit=False)  # real commits, own connections
        setup = sessions()
        sm = app.appbuilder.sm
        handlers = [sm.find_user(username="handler"), sm.find_user(username="handler2")]
        get_db().session.remove()  # end its transaction: on SQLite it holds the write lock
        holder = make_client(setup, name="Race client")
        ids = [make_case(setup, "new", holder=holder).id for _ in range(40)]
        setup.commit()
        setup.close()
        got: dict[int, list[int]] = {h.id: [] for h in handlers}
        errors: list[BaseException] = []
        start = threading.Barrier(2)

        def work(user):
            session = sessions()
            try:
                start.wait()
                while True:
                    case = services.take_next(session, Actor(user.id, user.username),
                                              client_id=holder.id)
                    session.commit()
                    if case is None:
                        return
                    got[user.id].append(case.id)
            except BaseException as error:  # surfaced below
                errors.append(error)
            finally:
                session.close()

        threads = [threading.Thread(target=work, args=(h,)) for h in handlers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        try:
            assert not errors, errors
            first, second = got.values()
            assert not set(first) & set(second), "a case was given to both handlers"
            assert sorted(first + second) == sorted(ids), "every case taken exactly once"
            check = sessions()
            owners = dict(check.execute(select(Case.id, Case.assignee_id).where(Case.id.in_(ids))).all())
            for user_id, taken in got.items():
                assert all(owners[i] == user_id for i in taken)
            audits = check.scalars(select(AuditEvent.case_id).where(
                AuditEvent.action == "case.assigned", AuditEvent.case_id.in_(ids))).all()
            assert sorted(audits) == sorted(ids)
            check.close()
        finally:
            cleanup = sessions()
            cleanup.execute(delete(Case).where(Case.id.in_(ids)))
            cleanup.commit()
            cleanup.close()
