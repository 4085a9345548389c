"""Take next: the top unassigned case, atomically."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import delete, event, select, text, update

from caseapp.cases import services
from caseapp.cases.models import Case
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput
from tests.cases.factories import make_case
from tests.clients.factories import make_client
from tests.conftest import TODAY


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
        finally:   # the audit events too: SQLite gives a deleted case's id to the next case
            cleanup = sessions()
            cleanup.execute(delete(AuditEvent).where(AuditEvent.case_id.in_(ids)))
            cleanup.execute(delete(Case).where(Case.id.in_(ids)))
            cleanup.commit()
            cleanup.close()


# --- the guard, deterministically --------------------------------------------------------------

@contextmanager
def rival_claims_each_candidate(session, rival_id: int, client_id: int, times: int | None = None):
    """Another handler's claim on the top free case lands between this handler's read of it and
    the write (as it can where the read is not locked: a stale candidate), `times` times (every
    time by default). The claim is written on the handler's own transaction, so that it lands
    even where the handler holds the row's lock. Yields the ids the rival got."""
    from caseapp.cases.models import IS_OPEN, QUEUE_ORDER

    got: list[int] = []

    def before_write(state):
        if not state.is_update or (times is not None and len(got) >= times):
            return
        connection = state.session.connection()
        top = connection.execute(select(Case.id).where(Case.client_id == client_id, Case.assignee_id.is_(None),
                                                       IS_OPEN).order_by(*QUEUE_ORDER).limit(1)).scalar()
        connection.execute(update(Case.__table__).where(Case.__table__.c.id == top).values(assignee_id=rival_id))
        got.append(top)

    event.listen(session, "do_orm_execute", before_write)
    try:
        yield got
    finally:
        event.remove(session, "do_orm_execute", before_write)


def queue_of(session, count: int):
    """`count` free cases of one client, in queue order (each due a day after the one before)."""
    holder = make_client(session)
    cases = [make_case(session, "offer_sent", holder=holder) for _ in range(count)]
    for n, case in enumerate(cases):
        case.next_due_on = TODAY + timedelta(days=n)
    session.flush()
    return holder, cases


def owner(session, case_id: int) -> int | None:
    return session.scalar(select(Case.assignee_id).where(Case.id == case_id))


def test_a_case_taken_between_the_read_and_the_write_stays_with_who_took_it(db_session, users):
    """The compare-and-set: the handler read the top case as free, but another handler's claim
    landed first; the handler does not take it over and gets the next case, without an error."""
    holder, (first, second, third) = queue_of(db_session, 3)
    me, rival = users["handler"], users["handler2"]
    with rival_claims_each_candidate(db_session, rival.id, holder.id, times=1) as lost:
        taken = services.take_next(db_session, Actor.of(me), client_id=holder.id)
    assert lost == [first.id]
    assert taken.id == second.id and taken.assignee_id == me.id
    assert owner(db_session, first.id) == rival.id and owner(db_session, third.id) is None
    assigned = db_session.scalars(select(AuditEvent.case_id).where(
        AuditEvent.action == "case.assigned", AuditEvent.case_id.in_([first.id, second.id, third.id]))).all()
    assert assigned == [second.id]


def test_a_handler_who_loses_twenty_races_in_a_row_is_given_nothing_this_time(db_session, users):
    """Each lost race moves on to the next case, twenty times at most: then take next answers
    that there is nothing to take (the page says so) rather than keeping the handler waiting."""
    holder, cases = queue_of(db_session, 22)
    me, rival = users["handler"], users["handler2"]
    with rival_claims_each_candidate(db_session, rival.id, holder.id) as lost:
        assert services.take_next(db_session, Actor.of(me), client_id=holder.id) is None
    assert lost == [c.id for c in cases[:20]]
    assert [owner(db_session, c.id) for c in cases[20:]] == [None, None]
    with rival_claims_each_candidate(db_session, rival.id, holder.id, times=19) as lost:
        taken = services.take_next(db_session, Actor.of(me), client_id=holder.id)
    assert taken is None and lost == [cases[20].id, cases[21].id]


def test_twenty_cases_others_are_working_on_do_not_hide_the_first_free_one(db_session, users):
    holder, cases = queue_of(db_session, 21)
    for case in cases[:20]:
        case.assignee_id = users["handler2"].id
    db_session.flush()
    taken = services.take_next(db_session, Actor.of(users["handler"]), client_id=holder.id)
    assert taken.id == cases[20].id


def test_taking_a_case_bumps_its_version_and_is_audited_as_taken_from_the_queue(db_session, users):
    holder, (case,) = queue_of(db_session, 1)
    version = case.version
    taken = services.take_next(db_session, Actor.of(users["handler"]), client_id=holder.id)
    assert taken is case and case.version == version + 1          # a page open on the old version is stale
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                        AuditEvent.action == "case.assigned")).one()
    assert (event.actor_id, event.actor_name, event.subject_type, event.subject_id, event.reason, event.details) == \
        (users["handler"].id, "handler", "case", case.id, "Taken from the queue", {"assignee": "handler"})


def test_only_a_person_takes_a_case(db_session):
    holder, (case,) = queue_of(db_session, 1)
    with pytest.raises(InvalidInput) as refused:
        services.take_next(db_session, Actor.system("robot"), client_id=holder.id)
    assert str(refused.value) == "Only a person can take a case." and case.assignee_id is None


def test_take_next_keeps_to_the_stage_and_country_asked_for(db_session, users):
    holder, (urgent, reminded) = queue_of(db_session, 2)
    reminded.stage = "reminder_sent"
    french = make_case(db_session, "offer_sent", holder=holder, country="FR")
    french.next_due_on = TODAY + timedelta(days=9)
    db_session.flush()
    me = Actor.of(users["handler"])
    assert services.take_next(db_session, me, client_id=holder.id, stage="reminder_sent").id == reminded.id
    assert services.take_next(db_session, me, client_id=holder.id, country="fr").id == french.id
    assert services.take_next(db_session, me, client_id=holder.id).id == urgent.id


@pytest.mark.postgres_only
def test_a_handler_is_not_kept_waiting_by_the_case_another_is_taking(app, backend):
    """PostgreSQL: while one handler's take next holds the top case (not committed yet), a second
    handler is given the next case at once (SKIP LOCKED), not made to wait for the first."""
    from sqlalchemy.orm import sessionmaker

    from caseapp.extensions import get_db

    with app.app_context():
        engine = get_db().engine
        sessions = sessionmaker(bind=engine, expire_on_commit=False)
        sm = app.appbuilder.sm
        first_handler, second_handler = sm.find_user(username="handler"), sm.find_user(username="handler2")
        get_db().session.remove()
        setup = sessions()
        holder = make_client(setup, name="Lock client")
        ids = [make_case(setup, "new", holder=holder).id for _ in range(3)]
        setup.commit()
        setup.close()
        first, second = sessions(), sessions()
        try:
            taken = services.take_next(first, Actor.of(first_handler), client_id=holder.id)
            second.execute(text("SET LOCAL lock_timeout = '2s'"))
            other = services.take_next(second, Actor.of(second_handler), client_id=holder.id)
            assert (taken.id, other.id) == (ids[0], ids[1])
            first.commit()
            second.commit()
        finally:
            first.close()
            second.close()
            cleanup = sessions()
            cleanup.execute(delete(AuditEvent).where(AuditEvent.case_id.in_(ids)))
            cleanup.execute(delete(Case).where(Case.id.in_(ids)))
            cleanup.commit()
            cleanup.close()
