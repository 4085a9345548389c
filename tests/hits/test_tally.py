"""The hit tally (migration c4e8a1f3b9d2) the triage tabs read: the database's triggers note every
change, folds move them into the tally; with or without a fold it equals a count of the hits after
every kind of write — an insert, a decision, a bulk decision in
one statement, an undo, a client moved, a delete, a work deleted (its hits go by cascade) —
on SQLite and PostgreSQL alike."""
from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update

from caseapp.clients.models import Work
from caseapp.hits import services
from caseapp.hits.models import ILLEGAL, LEGAL, NEW, NO_MATCH, Hit, HitTally, HitTallyChange
from tests.clients.factories import make_client, make_work
from tests.hits.factories import make_hit


def counted(session, client_id):
    """Hits by status as a count over the hits gives them (what the tally must equal)."""
    rows = session.execute(select(Hit.status, func.count()).where(Hit.client_id == client_id)
                           .group_by(Hit.status)).all()
    return {status: n for status, n in rows}


def tallied(session, client_id):
    """The tally's figure, read before and after a fold (they must agree)."""
    session.flush()
    before = services.hit_counts(session, client_id)
    services.fold_tally(session)
    assert services.hit_counts(session, client_id) == before
    return before


def test_the_tally_follows_every_write_to_the_hits(db_session):
    holder, other = make_client(db_session), make_client(db_session)
    work = make_work(db_session, holder)
    hits = [make_hit(db_session, work, f"tally{i}.example.com") for i in range(5)]
    assert tallied(db_session, holder.id) == {NEW: 5} == counted(db_session, holder.id)

    hits[0].status = ILLEGAL                                     # one decision through the ORM
    assert tallied(db_session, holder.id) == {NEW: 4, ILLEGAL: 1}

    db_session.execute(update(Hit).where(Hit.id.in_([h.id for h in hits[1:4]]))   # a bulk decision
                       .values(status=NO_MATCH).execution_options(synchronize_session=False))
    assert tallied(db_session, holder.id) == {NEW: 1, ILLEGAL: 1, NO_MATCH: 3} == counted(db_session, holder.id)

    db_session.execute(update(Hit).where(Hit.id == hits[1].id).values(status=NEW)   # an undo
                       .execution_options(synchronize_session=False))
    db_session.execute(update(Hit).where(Hit.id == hits[2].id).values(score=0.5)    # not its status
                       .execution_options(synchronize_session=False))
    assert tallied(db_session, holder.id) == {NEW: 2, ILLEGAL: 1, NO_MATCH: 2} == counted(db_session, holder.id)

    db_session.execute(update(Hit).where(Hit.id == hits[4].id).values(client_id=other.id)   # moved
                       .execution_options(synchronize_session=False))
    assert tallied(db_session, holder.id) == {NEW: 1, ILLEGAL: 1, NO_MATCH: 2} == counted(db_session, holder.id)
    assert tallied(db_session, other.id) == {NEW: 1} == counted(db_session, other.id)

    db_session.execute(delete(Hit).where(Hit.id.in_([hits[0].id, hits[2].id]))
                       .execution_options(synchronize_session=False))
    assert tallied(db_session, holder.id) == {NEW: 1, NO_MATCH: 1} == counted(db_session, holder.id)


def test_hits_written_many_in_one_statement_are_tallied_each(db_session):
    holder = make_client(db_session)
    work = make_work(db_session, holder)
    sightings = [make_hit(db_session, work, f"many{i}.example.com").sighting_id for i in range(3)]
    other_work = make_work(db_session, holder)
    db_session.execute(insert(Hit), [
        {"sighting_id": s, "work_id": other_work.id, "client_id": holder.id, "site": "many.example.com",
         "score": 0.8, "status": status, "version": 1}
        for s, status in zip(sightings, [NEW, LEGAL, LEGAL])])
    assert tallied(db_session, holder.id) == {NEW: 4, LEGAL: 2} == counted(db_session, holder.id)


def test_the_everyone_tally_is_the_sum_of_the_clients(db_session):
    before = services.hit_counts(db_session)
    first, second = make_client(db_session), make_client(db_session)
    make_hit(db_session, make_work(db_session, first), "sum.example.com")
    make_hit(db_session, make_work(db_session, second), "sum.example.com", status=LEGAL)
    after = tallied(db_session, None)
    assert after[NEW] == before.get(NEW, 0) + 1 and after[LEGAL] == before.get(LEGAL, 0) + 1
    everyone = dict(db_session.execute(select(Hit.status, func.count()).group_by(Hit.status)).all())
    assert after == everyone


def test_a_deleted_works_hits_leave_the_tally(db_session):
    holder = make_client(db_session)
    work = make_work(db_session, holder)
    make_hit(db_session, work, "gone.example.com")
    assert tallied(db_session, holder.id) == {NEW: 1}
    db_session.execute(delete(Work).where(Work.id == work.id)   # the database's cascade takes its hits
                       .execution_options(synchronize_session=False))
    assert services.hit_counts(db_session, holder.id) == {}
    services.fold_tally(db_session)
    assert db_session.scalar(select(func.coalesce(func.sum(HitTally.n), 0))
                             .where(HitTally.client_id == holder.id)) == 0
    assert db_session.scalar(select(func.count()).select_from(HitTallyChange)) == 0   # folded: none left


def test_writers_of_one_clients_hits_do_not_wait_for_each_other(app, backend):
    """PostgreSQL: a transaction that has changed hits of a client and not committed (an ingest
    batch, a bulk decision) does not hold up another changing hits of the same client (a tally row
    updated by every write would: the second waits for the first's commit, or they deadlock)."""
    import pytest
    from sqlalchemy import text

    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time anyway")
    from caseapp.extensions import get_db

    with app.app_context():
        engine = get_db().engine
        with engine.connect() as a, engine.connect() as b:
            work_id, client_id, sha = a.execute(text("SELECT id, client_id, file_sha256 FROM work ORDER BY id LIMIT 1")).one()
            ids = []
            for connection, site in ((a, "tally-a.example.com"), (b, "tally-b.example.com")):
                sighting = connection.execute(text(
                    "INSERT INTO sighting (key, image_url, page_url, site, found_at, image_sha256, thumbnail_sha256, "
                    "created_at, updated_at) VALUES (md5(:site), 'https://' || :site || '/i.jpg', 'https://' || :site, "
                    ":site, now(), :sha, :sha, now(), now()) RETURNING id"), {"site": site, "sha": sha}).scalar()
                ids.append(connection.execute(text(
                    "INSERT INTO hit (sighting_id, work_id, client_id, site, score, status, version, created_at, "
                    "updated_at) VALUES (:s, :w, :c, :site, 0.9, 'new', 1, now(), now()) RETURNING id"),
                    {"s": sighting, "w": work_id, "c": client_id, "site": site}).scalar())
                connection.commit()
            try:
                b.execute(text("SET lock_timeout = '2s'"))
                a.execute(text("UPDATE hit SET status = 'illegal' WHERE id = :id"), {"id": ids[0]})   # not committed
                b.execute(text("UPDATE hit SET status = 'legal' WHERE id = :id"), {"id": ids[1]})     # must not wait
                b.commit()
                a.commit()
            finally:
                a.rollback()
                b.rollback()
                a.execute(text("DELETE FROM hit WHERE id = ANY(:ids)"), {"ids": ids})
                a.execute(text("DELETE FROM sighting WHERE site IN ('tally-a.example.com', 'tally-b.example.com')"))
                a.commit()
