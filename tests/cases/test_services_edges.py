"""The cases' service at its edges: items added to a case, the lookups other domains use (refs,
cases by id, the cases of a work, a client's cases), the in-court rule of the split, a use seen
again, and the queue's page links (each part refused one step beyond its range)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from caseapp.cases import lifecycle, services
from caseapp.cases.models import NOT_VALUED, Case, LicenceDefence
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.errors import InvalidInput, NotFound
from tests.cases.factories import make_case
from tests.clients.factories import make_client, make_work
from tests.conftest import TODAY

ACTOR = Actor(None, "tester")
BROKEN = "That page link is broken; start again from the first page."


def _at(day: int) -> datetime:
    return datetime(2026, 11, day, 12, 0, tzinfo=timezone.utc)


# --- items ----------------------------------------------------------------------------------------

def test_items_added_to_an_open_case_keep_their_urls_and_sightings(db_session):
    case = make_case(db_session, lifecycle.OFFER_SENT)
    work = make_work(db_session, case.client)
    services.add_items(db_session, ACTOR, case, [
        services.ItemSpec(work_id=work.id, page_url="https://x.example/p/2", image_url="https://x.example/i/2.jpg",
                          found_at=_at(1)),
        services.ItemSpec(work_id=work.id, page_url="https://x.example/p/3", found_at=_at(2), last_seen_at=_at(9)),
    ])
    added = case.items[1:]
    assert [(i.work_id, i.page_url, i.image_url) for i in added] == [
        (work.id, "https://x.example/p/2", "https://x.example/i/2.jpg"), (work.id, "https://x.example/p/3", None)]
    assert [(i.found_at, i.last_seen_at) for i in added] == [(_at(1), _at(1)), (_at(2), _at(9))]
    assert all(i.id is not None and i.case_id == case.id for i in added)     # flushed with the case
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                        AuditEvent.action == "case.items_added")).one()
    assert (event.actor_name, event.subject_type, event.subject_id) == ("tester", "case", case.id)
    assert event.details == {"items": 2, "urls": ["https://x.example/p/2", "https://x.example/p/3"]}


def test_an_audit_of_many_items_names_the_first_twenty_urls(db_session):
    case = make_case(db_session, lifecycle.NEW)
    work_id = case.items[0].work_id
    services.add_items(db_session, ACTOR, case, [services.ItemSpec(work_id, f"https://x.example/{n}")
                                                 for n in range(21)])
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                        AuditEvent.action == "case.items_added")).one()
    assert event.details["items"] == 21
    assert event.details["urls"] == [f"https://x.example/{n}" for n in range(20)]


def test_no_items_are_added_to_a_closed_case(db_session):
    case = make_case(db_session, lifecycle.CLOSED)
    with pytest.raises(InvalidInput) as refused:
        services.add_items(db_session, ACTOR, case, [services.ItemSpec(case.items[0].work_id, "https://x.example/9")])
    assert str(refused.value) == f"{case.ref} is closed; open a new case for these uses."
    assert len(case.items) == 1


def test_a_case_is_opened_with_at_least_one_item_and_its_value_in_its_own_currency(db_session):
    from caseapp.core.money import Money

    holder = make_client(db_session)
    party = make_case(db_session, holder=holder).party
    with pytest.raises(InvalidInput, match=r"^A case needs at least one item \(a work used at a URL\)\.$"):
        services.open_case(db_session, ACTOR, client_id=holder.id, party_id=party.id, items=[],
                           claimed=Money.parse("100", "EUR"), today=TODAY)
    with pytest.raises(InvalidInput, match=r"^The expected value must be in the case's currency\.$"):
        services.open_case(db_session, ACTOR, client_id=holder.id, party_id=party.id,
                           items=[services.ItemSpec(make_work(db_session, holder).id, "https://x.example/1")],
                           claimed=Money.parse("100", "EUR"), expected_value=Money.parse("50", "USD"), today=TODAY)


# --- lookups ---------------------------------------------------------------------------------------

def test_refs_by_id_and_case_refs_name_each_case_once(db_session):
    first, second = make_case(db_session), make_case(db_session)
    assert services.refs_by_id(db_session, [second.id, first.id, second.id]) == {first.id: first.ref,
                                                                                  second.id: second.ref}
    assert services.refs_by_id(db_session, []) == {}
    assert services.case_refs(db_session, [second.id, first.id, first.id]) == sorted([first.ref, second.ref])
    assert services.case_refs(db_session, []) == []


def test_cases_by_id_finds_every_case_asked_for_beyond_a_thousand_ids(db_session):
    cases = [make_case(db_session) for _ in range(2)]
    wanted = [c.id for c in cases]
    # more ids than one query takes (a thousand), with the wanted ones first, then on the edge
    after = list(range(10**6, 10**6 + 1100))
    assert services.cases_by_id(db_session, after + wanted + wanted) == {c.id: c for c in cases}
    assert services.cases_by_id(db_session, list(range(-1000, 0)) + wanted) == {c.id: c for c in cases}
    assert services.cases_by_id(db_session, list(range(-2500, 0)) + wanted) == {c.id: c for c in cases}
    assert services.cases_by_id(db_session, []) == {}


def test_the_cases_of_a_work_come_from_its_items_and_its_licence_defences(db_session):
    holder = make_client(db_session)
    used, defended, unused = (make_work(db_session, holder) for _ in range(3))
    one = make_case(db_session, holder=holder)
    one.items[0].work_id = used.id
    two = make_case(db_session, holder=holder)
    services.add_items(db_session, ACTOR, two, [services.ItemSpec(used.id, "https://x.example/u")])
    db_session.add(LicenceDefence(case_id=one.id, work_id=defended.id, file_sha256="e" * 64, filename="invoice.pdf",
                                  recorded_by="tester"))
    db_session.flush()
    found = services.cases_of_works(db_session, [used.id, defended.id, unused.id, used.id])
    assert found == {used.id: sorted([one.ref, two.ref]), defended.id: [one.ref]}
    assert services.cases_of_works(db_session, []) == {}


def test_a_clients_cases_newest_first(db_session):
    holder = make_client(db_session)
    newer, older = make_case(db_session, holder=holder), make_case(db_session, holder=holder)
    older.created_at = newer.created_at - timedelta(days=1)                # opened earlier, entered later
    make_case(db_session)                                                  # another client's
    db_session.flush()
    assert services.client_cases(db_session, holder.id) == [newer, older]
    older.created_at = newer.created_at                                     # the same moment: the last entered first
    db_session.flush()
    assert services.client_cases(db_session, holder.id) == [older, newer]


def test_count_cases_counts_every_case_open_or_closed(db_session):
    before = services.count_cases(db_session)
    make_case(db_session)
    make_case(db_session, lifecycle.CLOSED)
    assert services.count_cases(db_session) == before + 2


def test_a_missing_case_is_named_in_the_refusal(db_session):
    for lookup in (services.get_case, services.load_case_file):
        with pytest.raises(NotFound) as refused:
            lookup(db_session, "C-2026-999999")
        assert str(refused.value) == "There is no case C-2026-999999. Check the reference (it looks like C-2026-000123)."


def test_listing_cases_by_stage_refuses_an_unknown_stage(db_session):
    case = make_case(db_session, lifecycle.COURT, country="AT")
    listed = list(services.list_cases(db_session, stage="court", country="at"))
    assert case in listed and all(c.stage == "court" and c.country == "AT" for c in listed)
    assert len(list(services.list_cases(db_session, limit=3))) == 3
    with pytest.raises(InvalidInput) as refused:
        services.list_cases(db_session, stage="limbo")
    assert str(refused.value).startswith("'limbo' is not a stage. Stages are: new, checking,")


# --- the in-court rule of the split ------------------------------------------------------------------

@pytest.mark.parametrize("stage,held_from,in_court", [
    ("legal", None, True), ("court", None, True), ("enforcement", None, True),
    ("collection", None, False), ("final_demand", None, False), ("settled", None, False),
    ("on_hold", "court", True), ("on_hold", "collection", False),
])
def test_a_case_is_in_court_with_the_lawyer_in_court_or_in_enforcement(stage, held_from, in_court):
    assert services.is_in_court(Case(stage=stage, held_from_stage=held_from)) is in_court


# --- a use seen again ----------------------------------------------------------------------------------

def test_a_use_seen_again_moves_its_last_sighting_forward_only(db_session):
    case = make_case(db_session)
    item = case.items[0]
    item.image_url, item.last_seen_at = "https://x.example/i.jpg", _at(10)
    other = make_case(db_session)
    other.items[0].image_url, other.items[0].last_seen_at = "https://x.example/i.jpg", _at(10)
    db_session.flush()

    def seen(at, **kw):
        values = {"page_url": item.page_url, "image_url": "https://x.example/i.jpg", **kw}
        services.item_seen_again(db_session, [case.id, case.id], at=at, **values)
        db_session.expire_all()
        return db_session.get(Case, case.id).items[0].last_seen_at

    assert seen(_at(9)) == _at(10)                  # an older sighting changes nothing
    assert seen(_at(10)) == _at(10)
    assert seen(_at(11)) == _at(11)
    assert seen(_at(12), image_url="https://x.example/other.jpg") == _at(11)   # another image: not this use
    assert seen(_at(12), page_url="https://x.example/elsewhere") == _at(11)   # another page: not this use
    assert db_session.get(Case, other.id).items[0].last_seen_at == _at(10)   # another case: untouched
    item = db_session.get(Case, case.id).items[0]
    item.last_seen_at = None
    db_session.flush()
    assert seen(_at(5)) == _at(5)                   # never seen since it was found: any sighting counts


# --- the queue's page links ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "2026-11-23_0_1", "2026-11-23_0_2147483647", f"2026-11-23_{NOT_VALUED}_5", f"2026-11-23_{-NOT_VALUED}_5",
])
def test_a_page_link_at_the_edge_of_each_range_is_read(text):
    assert services.QueueCursor.decode(text).encode() == text


@pytest.mark.parametrize("text", [
    "", None, "2026-11-23_0_0", "2026-11-23_0_2147483648", f"2026-11-23_{NOT_VALUED - 1}_5",
    f"2026-11-23_{-NOT_VALUED + 1}_5", "2026-13-01_0_5", "2026-11-23_0_5x", "x2026-11-23_0_5",
])
def test_a_page_link_one_step_beyond_a_range_is_refused(text):
    with pytest.raises(InvalidInput) as refused:
        services.QueueCursor.decode(text)
    assert str(refused.value) == BROKEN


def test_a_page_ending_on_a_case_not_yet_valued_links_to_the_rest(db_session):
    holder = make_client(db_session)
    valued, unvalued, last = (make_case(db_session, "offer_sent", holder=holder, expected=e)
                              for e in ("100.00", None, None))
    for case in (valued, unvalued, last):
        case.next_due_on = TODAY
    db_session.flush()
    first = services.queue_page(db_session, scope="unassigned", user_id=None, client_id=holder.id, limit=2)
    assert [c.id for c in first.cases] == [valued.id, unvalued.id]
    assert first.next_cursor == f"{TODAY.isoformat()}_{NOT_VALUED}_{unvalued.id}"
    rest = services.queue_page(db_session, scope="unassigned", user_id=None, client_id=holder.id,
                               after=first.next_cursor, limit=2)
    assert [c.id for c in rest.cases] == [last.id] and rest.next_cursor is None


def test_the_next_page_never_repeats_a_more_valuable_case_of_the_same_day(db_session):
    """Within a day the order is worth most first: a case worth more, opened later, came before
    the page's last case and does not come again after it."""
    holder = make_client(db_session)
    middle = make_case(db_session, "offer_sent", holder=holder, expected="100.00")
    top = make_case(db_session, "offer_sent", holder=holder, expected="900.00")
    bottom = make_case(db_session, "offer_sent", holder=holder, expected="50.00")
    for case in (middle, top, bottom):
        case.next_due_on = TODAY
    db_session.flush()
    first = services.queue_page(db_session, scope="unassigned", user_id=None, client_id=holder.id, limit=2)
    assert [c.id for c in first.cases] == [top.id, middle.id]
    rest = services.queue_page(db_session, scope="unassigned", user_id=None, client_id=holder.id,
                               after=first.next_cursor, limit=2)
    assert [c.id for c in rest.cases] == [bottom.id]


def test_an_unknown_queue_is_refused(db_session):
    with pytest.raises(InvalidInput) as refused:
        services.queue_page(db_session, scope="everyone", user_id=None)
    assert str(refused.value) == "Unknown queue 'everyone': choose mine, unassigned or overdue."


def test_a_page_holding_exactly_the_last_cases_has_no_link_to_more(db_session):
    holder = make_client(db_session)
    cases = [make_case(db_session, "offer_sent", holder=holder) for _ in range(2)]
    page = services.queue_page(db_session, scope="unassigned", user_id=None, client_id=holder.id, limit=2)
    assert [c.id for c in page.cases] == [c.id for c in cases] and page.next_cursor is None
    shorter = services.queue_page(db_session, scope="unassigned", user_id=None, client_id=holder.id, limit=1)
    assert [c.id for c in shorter.cases] == [cases[0].id] and shorter.next_cursor is not None


def test_an_opened_cases_items_were_last_seen_when_found_unless_seen_since(db_session):
    from caseapp.core.money import Money

    holder = make_client(db_session)
    work = make_work(db_session, holder)
    party = make_case(db_session, holder=holder).party
    case = services.open_case(db_session, ACTOR, client_id=holder.id, party_id=party.id, items=[
        services.ItemSpec(work.id, "https://x.example/1", image_url="https://x.example/1.jpg", found_at=_at(1)),
        services.ItemSpec(work.id, "https://x.example/2", found_at=_at(2), last_seen_at=_at(8)),
    ], claimed=Money.parse("100", "EUR"), today=TODAY)
    assert [(i.work_id, i.image_url, i.found_at, i.last_seen_at) for i in case.items] == [
        (work.id, "https://x.example/1.jpg", _at(1), _at(1)), (work.id, None, _at(2), _at(8))]


def test_with_no_cases_at_all_the_count_is_zero():
    """A fresh installation: an empty database of the app's tables."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    engine = create_engine("sqlite://")
    Case.metadata.create_all(engine)
    with Session(engine) as empty:
        assert services.count_cases(empty) == 0
    engine.dispose()


def test_cases_of_a_stage_are_listed_in_the_order_they_were_opened_whatever_their_country(db_session):
    german = make_case(db_session, lifecycle.ENFORCEMENT, country="DE")
    austrian = make_case(db_session, lifecycle.ENFORCEMENT, country="AT")
    listed = [c.id for c in services.list_cases(db_session, stage="enforcement")]
    assert listed == sorted(listed) and listed.index(german.id) < listed.index(austrian.id)


def test_the_queues_counts_keep_to_the_country_asked_for(db_session, users):
    holder = make_client(db_session)
    me = users["handler"]
    for country in ("DE", "FR", "FR"):
        case = make_case(db_session, "offer_sent", holder=holder, country=country)
        case.assignee_id, case.next_due_on = me.id, TODAY - timedelta(days=1)
    make_case(db_session, "offer_sent", holder=holder, country="FR")
    db_session.flush()
    assert services.queue_counts(db_session, me.id, TODAY, client_id=holder.id, country="fr") == \
        services.QueueCounts(2, 1, 2)


def test_the_case_page_loads_its_items_and_notes_with_the_case(db_session):
    """The case file comes in a few queries: reading its items and notes asks the database nothing more."""
    from sqlalchemy import event

    case = make_case(db_session)
    services.add_note(db_session, ACTOR, case, "called")
    db_session.expire_all()
    loaded = services.load_case_file(db_session, case.ref)
    statements = []
    listener = lambda *args: statements.append(args[2])   # noqa: E731
    connection = db_session.connection()
    event.listen(connection, "before_cursor_execute", listener)
    try:
        assert [i.page_url for i in loaded.items] == ["https://x.example/p/1"]
        assert [n.text for n in loaded.notes] == ["called"]
    finally:
        event.remove(connection, "before_cursor_execute", listener)
    assert statements == []


def test_a_queue_page_holds_fifty_cases_unless_asked_otherwise(db_session):
    holder = make_client(db_session)
    cases = [make_case(db_session, "offer_sent", holder=holder) for _ in range(51)]
    page = services.queue_page(db_session, scope="unassigned", user_id=None, client_id=holder.id)
    assert [c.id for c in page.cases] == [c.id for c in cases[:50]] and page.next_cursor is not None


def test_seen_online_moves_a_use_forward_never_back(db_session):
    from datetime import datetime, timezone

    from caseapp.cases import services
    from tests.cases.factories import make_case

    item = make_case(db_session).items[0]
    item.last_seen_at = datetime(2026, 5, 7, 10, tzinfo=timezone.utc)
    db_session.flush()
    services.seen_online(db_session, item.id, datetime(2026, 5, 7, 9, tzinfo=timezone.utc))     # earlier: kept
    assert item.last_seen_at == datetime(2026, 5, 7, 10, tzinfo=timezone.utc)
    services.seen_online(db_session, item.id, datetime(2026, 5, 7, 11, tzinfo=timezone.utc))    # later: moves
    assert item.last_seen_at == datetime(2026, 5, 7, 11, tzinfo=timezone.utc)
    item.last_seen_at = None
    services.seen_online(db_session, item.id, datetime(2026, 5, 1, tzinfo=timezone.utc))        # none yet: set
    assert item.last_seen_at == datetime(2026, 5, 1, tzinfo=timezone.utc)
    with pytest.raises(NotFound):
        services.seen_online(db_session, 999999, datetime(2026, 5, 1, tzinfo=timezone.utc))
