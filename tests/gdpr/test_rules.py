"""core.personal_data's rules on their own: how a record's values are exported, where a year ends,
the slices a purge works in, and what forgetting an audit event's details touches."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from caseapp.core.audit import Actor, AuditEvent, record as audit_record
from caseapp.core.personal_data import (BATCH, CASE_FILE, Expired, Retention, batches, bulk, counts, field,
                                        forget_audit_details, plain, record, today_of, year_end)
from caseapp.parties.models import Party
from tests.parties.factories import make_party


@pytest.mark.parametrize("value, shown", [
    (None, None), ("x", "x"), (7, 7), (2.5, 2.5), (True, True), (False, False),
    (date(2026, 5, 1), "2026-05-01"), (datetime(2026, 5, 1, 9, 30, tzinfo=timezone.utc), "2026-05-01T09:30:00+00:00"),
    ([1, date(2026, 5, 1), [None]], [1, "2026-05-01", [None]]), ((1, 2), [1, 2]),
    ({1: date(2026, 5, 1), "k": {"n": Decimal("1.50")}}, {"1": "2026-05-01", "k": {"n": "1.50"}}),
    (Decimal("3.10"), "3.10"),
])
def test_a_value_as_an_export_holds_it(value, shown):
    assert plain(value) == shown


def test_a_record_and_its_fields():
    assert field(date(2026, 5, 1), "the site") == {"value": "2026-05-01", "source": "the site"}
    assert record(3, {"a": field(1, None)}, case="C-1", on=date(2026, 5, 1)) == \
        {"id": 3, "case": "C-1", "on": "2026-05-01", "fields": {"a": {"value": 1, "source": None}}}


@pytest.mark.parametrize("moment", [date(2026, 5, 1), datetime(2026, 5, 1, 23, 59, tzinfo=timezone.utc)])
def test_the_year_a_record_ends_in(moment):
    assert year_end(moment) == date(2026, 12, 31) and year_end(date(2026, 12, 31)) == date(2026, 12, 31)
    assert today_of(moment) == date(2026, 5, 1)


def test_the_last_day_kept_and_the_latest_last_event_past_it():
    retention = Retention({CASE_FILE: 365})
    assert retention.last_day(CASE_FILE, date(2020, 3, 1)) == date(2021, 12, 31)
    # past on 2022-01-01 <=> its year ended 365 days before: last events up to 2020-12-31
    assert retention.latest_event(CASE_FILE, date(2022, 1, 1)) == date(2020, 12, 31)
    assert retention.latest_event(CASE_FILE, date(2021, 12, 31)) == date(2019, 12, 31)


def test_counts_per_kind_and_action():
    items = [Expired("letter", 1, "delete", CASE_FILE), Expired("letter", 2, "delete", CASE_FILE),
             Expired("party", 3, "anonymise", CASE_FILE)]
    assert counts(items) == {"letter": {"delete": 2}, "party": {"anonymise": 1}}


def test_ids_go_in_slices_in_their_order():
    ids = list(range(2 * BATCH + 3))
    assert [len(s) for s in batches(ids)] == [BATCH, BATCH, 3]
    assert [i for s in batches(ids) for i in s] == ids
    assert list(batches(["a", "b"])) == [["a", "b"]] and list(batches([])) == []


def test_bulk_changes_rows_and_leaves_the_sessions_objects_alone(db_session):
    parties = [make_party(db_session, name=f"Bulk {n} GmbH") for n in range(3)]
    db_session.flush()
    bulk(db_session, lambda chunk: update(Party).where(Party.id.in_(chunk)).values(name="[erased]"),
         [p.id for p in parties[:2]])
    assert [p.name for p in parties] == ["Bulk 0 GmbH", "Bulk 1 GmbH", "Bulk 2 GmbH"]   # not synchronised
    db_session.expire_all()
    assert [db_session.get(Party, p.id).name for p in parties] == ["[erased]", "[erased]", "Bulk 2 GmbH"]


def test_forgetting_details_touches_only_that_kind_and_those_records(db_session):
    actor = Actor.system("tests")
    for subject, subject_id in (("party", 1), ("party", 2), ("letter", 1)):
        audit_record(db_session, actor, "party.edited" if subject == "party" else "letter.issued", subject,
                     subject_id, details={"name": f"{subject} {subject_id}"})
    db_session.flush()
    forget_audit_details(db_session, "party", [1])
    db_session.expire_all()
    details = {(e.subject_type, e.subject_id): e.details for e in db_session.scalars(
        select(AuditEvent).where(AuditEvent.actor_name == "tests"))}
    assert details == {("party", 1): None, ("party", 2): {"name": "party 2"}, ("letter", 1): {"name": "letter 1"}}
