"""Properties over random collections and contract splits: client net + commission + VAT =
collected to the cent, the ledger balances, nothing is paid out twice; and two batches drafted
at the same moment on PostgreSQL never take the same collection."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from caseapp.cases import lifecycle
from caseapp.clients import contracts
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput
from caseapp.core.money import Money
from caseapp.ledger import services as ledger
from caseapp.payouts import services
from caseapp.payouts.models import PayoutItem
from tests.payouts.factories import DAY, collect

ANTON = Actor(None, "anton")
SHARES = st.integers(40, 200).map(lambda half: half * 50)     # 20% .. 100% in half percent


@given(amounts=st.lists(st.integers(1, 5_000_000), min_size=1, max_size=6), share=SHARES, court=SHARES,
       stage=st.sampled_from([lifecycle.COLLECTION, lifecycle.COURT]), vat=st.sampled_from([0, 1900]))
def test_the_split_adds_up_to_the_cent(amounts, share, court, stage, vat):
    part = services.ClientPart(1, "x", vat_bp=vat)
    bp = court if stage == lifecycle.COURT else share
    for n, minor in enumerate(amounts):
        client, firm = services.split_collection(Money(minor, "EUR"), bp)
        part.items.append(services.Split(n, n, "C", 1, DAY, False, bp, minor, client.minor, firm.minor))
    services.apply_vat(part)
    assert part.vat == services.vat_on(part.commission, vat)
    for item in part.items:
        assert item.client_share + item.commission == item.collected and item.vat >= 0
    assert part.net + part.commission + part.vat == sum(amounts)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_batches_over_random_collections(db_session, data):
    from tests.cases.factories import make_case
    from tests.clients.factories import make_client

    nested = db_session.begin_nested()
    try:
        holders = []
        for _ in range(data.draw(st.integers(1, 3))):
            holder = make_client(db_session)
            contracts.change_contract(db_session, ANTON, holder.id, share_out_of_court_bp=data.draw(SHARES),
                                      share_in_court_bp=data.draw(SHARES))
            holders.append(holder)
        for _ in range(data.draw(st.integers(1, 6))):
            holder = data.draw(st.sampled_from(holders))
            case = make_case(db_session, data.draw(st.sampled_from([lifecycle.COLLECTION, lifecycle.LEGAL])),
                             holder=holder)
            case.contract_id = contracts.current_contract(db_session, holder.id).id
            collect(db_session, case, Money(data.draw(st.integers(1, 1_000_000)), "EUR"))
        taken: set[int] = set()
        for until in (date(2026, 10, 19), DAY, DAY):
            try:
                batch = services.draft(db_session, ANTON, until)
            except InvalidInput:
                continue
            ids = {item.ledger_entry_id for line in batch.lines for item in line.items}
            assert not ids & taken           # nothing paid out twice
            taken |= ids
            assert batch.to_clients_minor + batch.commission_minor + batch.vat_minor == batch.collected_minor
        assert all(t.minor == 0 for t in ledger.totals(ledger.trial_balance(db_session)).values())
        assert ledger.balance(db_session, "collected", until=DAY).minor == 0 or taken == set()
    finally:
        nested.rollback()


def test_two_batches_drafted_at_the_same_moment_never_share_a_collection(app, database_url):
    """On PostgreSQL: two sessions draft at once; the UNIQUE entry id lets one have each collection."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the concurrency test needs PostgreSQL (CASEAPP_TEST_DATABASE_URL)")
    _with_committed_collections(app, 20, "25.00", _race)


def _with_committed_collections(app, clients: int, amount: str, run) -> None:
    """`run(app, engine)` over `clients` new clients with one committed collection each (the
    concurrency tests need other connections to see them), taken out again afterwards."""
    from sqlalchemy.orm import Session

    from caseapp.extensions import get_db
    from tests.cases.factories import make_case
    from tests.clients.factories import make_client

    with app.app_context():
        engine = get_db().engine
    client_ids, case_ids = [], []
    with Session(engine) as setup:
        for _ in range(clients):
            holder = make_client(setup)
            case = make_case(setup, lifecycle.COLLECTION, holder=holder)
            collect(setup, case, amount)
            client_ids.append(holder.id)
            case_ids.append(case.id)
        setup.commit()
    try:
        run(app, engine)
    finally:
        _forget(engine, client_ids, case_ids)


def _forget(engine, client_ids: list[int], case_ids: list[int]) -> None:
    """Take the committed collections, batches and cases out again: other tests reconcile the
    demo's client money, and 500.00 booked to the bank without a statement is a difference there."""
    from sqlalchemy import delete, or_, select
    from sqlalchemy.orm import Session

    from caseapp.cases.models import Case
    from caseapp.ledger.models import LedgerEntry, LedgerTransaction
    from caseapp.payouts.models import PayoutBatch, PayoutLine

    with Session(engine) as cleanup:
        batches = list(cleanup.scalars(select(PayoutLine.batch_id).where(PayoutLine.client_id.in_(client_ids))))
        transactions = list(cleanup.scalars(select(LedgerEntry.transaction_id).where(
            or_(LedgerEntry.case_id.in_(case_ids), LedgerEntry.client_id.in_(client_ids)))))
        cleanup.execute(delete(PayoutItem).where(PayoutItem.batch_id.in_(batches)))
        cleanup.execute(delete(PayoutLine).where(PayoutLine.batch_id.in_(batches)))
        cleanup.execute(delete(PayoutBatch).where(PayoutBatch.id.in_(batches)))
        cleanup.execute(delete(LedgerEntry).where(LedgerEntry.transaction_id.in_(transactions)))
        cleanup.execute(delete(LedgerTransaction).where(LedgerTransaction.id.in_(transactions)))
        cleanup.execute(delete(Case).where(Case.id.in_(case_ids)))
        cleanup.commit()


def _race(app, engine) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from caseapp.core.uow import unit_of_work

    barrier, outcomes = threading.Barrier(2), []

    def draft(name: str) -> None:
        with app.app_context(), Session(engine) as session:
            try:
                with unit_of_work(session):
                    services.compute(session, DAY)          # both read the same open collections
                    barrier.wait(timeout=10)
                    batch = services.draft(session, Actor(None, name), DAY)
                    outcomes.append(("drafted", batch.id))
            except InvalidInput as refused:
                outcomes.append(("refused", str(refused)))

    threads = [threading.Thread(target=draft, args=(n,)) for n in ("anton", "lena")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    with Session(engine) as check:
        ids = list(check.scalars(select(PayoutItem.ledger_entry_id)))
        assert len(ids) == len(set(ids)) and len(ids) >= 20
    assert sorted(kind for kind, _ in outcomes) in (["drafted", "refused"], ["drafted", "drafted"])


def test_a_draft_that_waits_on_another_is_refused_when_that_one_commits(app, database_url):
    """On PostgreSQL: the items are written in bulk; the second draft's INSERT waits on the UNIQUE
    entry id while the first is open, and is refused (nothing drafted) once the first commits."""
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (CASEAPP_TEST_DATABASE_URL)")
    _with_committed_collections(app, 5, "40.00", _wait_then_refused)


def _wait_then_refused(app, engine) -> None:
    import time

    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from caseapp.payouts.models import PayoutBatch

    first, second = Session(engine), Session(engine)
    outcome = []

    def draft_second() -> None:
        with app.app_context():
            try:
                services.draft(second, Actor(None, "lena-waits"), DAY)
                outcome.append("drafted")
            except InvalidInput as refused:
                outcome.append(str(refused))
            finally:
                second.rollback()

    with app.app_context():
        batch = services.draft(first, ANTON, DAY)          # holds its items, not committed yet
        waiting = threading.Thread(target=draft_second)
        waiting.start()
        time.sleep(1.5)
        assert waiting.is_alive()                          # the second waits on the first's items
        first.commit()
        waiting.join(30)
    assert outcome and outcome[0].startswith("Another batch took some of these collections")
    with Session(engine) as check:
        assert check.scalar(select(func.count()).select_from(PayoutBatch).where(PayoutBatch.drafted_by == "lena-waits")) \
            == 0 and check.get(PayoutBatch, batch.id) is not None
    first.close()
    second.close()
