"""The same image in two clients' portfolios, found through the real engine when either work
is indexed (both directions): a conflict row for the pair, both works disputed naming the
other, the same client's re-upload no conflict, and a resolution with a reason."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from caseapp.clients import ownership, services, works_index
from caseapp.clients.models import WorkConflict
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput
from caseapp.core.filestore import FileStore
from tests.clients.factories import make_client
from tests.matching.conftest import photo

ACTOR = Actor.system("test")


def _jpeg(name: str, scale: float = 1.0) -> bytes:
    image = photo(name)
    if scale != 1.0:
        image = image.resize((int(image.width * scale), int(image.height * scale)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


@pytest.fixture()
def index(tmp_path):
    return FileStore(tmp_path / "files"), works_index.engine_at(str(tmp_path / "matching"))


def _add(session, index, holder, name, scale=1.0):
    store, engine = index
    work = services.add_work(session, store, ACTOR, client_id=holder.id, title=name, data=_jpeg(name, scale))
    works_index.index_work(session, store, engine, work)
    return work


def _conflicts(session, *works):
    ids = [w.id for w in works]
    return list(session.scalars(select(WorkConflict).where(WorkConflict.work_id.in_(ids)
                                                           | WorkConflict.other_work_id.in_(ids))))


@pytest.mark.parametrize("order", ["a_then_b", "b_then_a"])
def test_the_same_image_in_another_clients_portfolio_disputes_both_works(db_session, index, order):
    alice, bob = make_client(db_session, "Alice Archer"), make_client(db_session, "Bob Baker")
    first_holder, second_holder = (alice, bob) if order == "a_then_b" else (bob, alice)
    unrelated = _add(db_session, index, first_holder, "astronaut.png")
    first = _add(db_session, index, first_holder, "coffee.png")
    assert first.status == "unverified"
    second = _add(db_session, index, second_holder, "coffee.png", scale=0.6)   # a smaller re-upload
    conflicts = _conflicts(db_session, first, second)
    assert len(conflicts) == 1 and conflicts[0].score >= ownership.CONFLICT_MIN_SCORE
    assert {conflicts[0].work_id, conflicts[0].other_work_id} == {first.id, second.id}
    assert first.status == second.status == "disputed"
    assert f"{second_holder.name}'s portfolio as work {second.id}" in first.status_reason
    assert f"{first_holder.name}'s portfolio as work {first.id}" in second.status_reason
    assert unrelated.status == "unverified"
    check = {c.code: c for c in ownership.checks(db_session, first)}["other_portfolio"]
    assert check.outcome == "problem" and f"work {second.id}" in check.reason
    # Indexing again (a rebuilt index) makes no second row for the pair.
    store, engine = index
    works_index.index_work(db_session, store, engine, first)
    assert len(_conflicts(db_session, first, second)) == 1


def test_the_same_clients_reupload_and_a_different_image_are_no_conflict(db_session, index):
    """A client's own re-upload is a duplicate (refused before the engine is asked), never a
    conflict; another client's different image is neither."""
    alice, bob = make_client(db_session), make_client(db_session)
    one = _add(db_session, index, alice, "chelsea.png")
    with pytest.raises(services.DuplicateWork, match=f"same image as work {one.id}"):
        _add(db_session, index, alice, "chelsea.png", scale=0.7)
    other = _add(db_session, index, bob, "rocket.jpg")
    assert not _conflicts(db_session, one, other)
    assert one.status == other.status == "unverified"


def test_a_conflict_blocks_verifying_until_it_is_resolved(db_session, index):
    alice, bob = make_client(db_session, "Alice Archer"), make_client(db_session, "Bob Baker")
    mine = _add(db_session, index, alice, "coffee.png")
    theirs = _add(db_session, index, bob, "coffee.png", scale=0.5)
    with pytest.raises(InvalidInput, match="resolve the conflict first"):
        ownership.verify(db_session, ACTOR, mine, evidence="RAW file from the camera", seen_version=None)
    conflict = _conflicts(db_session, mine)[0]
    with pytest.raises(InvalidInput, match="Reason"):
        ownership.resolve_conflict(db_session, ACTOR, conflict.id, owner_work_id=mine.id, reason=" ")
    ownership.resolve_conflict(db_session, ACTOR, conflict.id, owner_work_id=mine.id,
                               reason="Alice showed the RAW file; Bob bought it on a stock site")
    assert mine.status == "verified" and theirs.status == "disputed"
    assert "Alice Archer's (work" in conflict.resolution and conflict.resolved_by == "test"
    assert "decided by test" in theirs.status_reason
    with pytest.raises(InvalidInput, match="resolved already"):
        ownership.resolve_conflict(db_session, ACTOR, conflict.id, owner_work_id=theirs.id, reason="again")
