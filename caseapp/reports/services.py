"""The dashboards' figures: plain functions taking a session and the filters, each returning a
`Table` (its columns and rows) that the page draws as a chart with the table beneath, the CSV
download writes out and `caseapp reports show` prints.

Every figure is aggregated in the database (GROUP BY, window functions for the median and the
90th percentile), never by looping over cases in Python: the queries read the other domains
through their `reporting` selections (caseapp/<domain>/reporting.py). Money stays in integer
minor units per currency; no figure adds one currency to another.

Months are calendar months in UTC for timestamps (a stage change, a batch confirmed) and the
booked or sent day for dates (a payment, a letter). The time series cover the last
`MONTHS` months up to the current one; the closure reasons and the collection rate cover
every case."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlalchemy import Date, Integer, and_, case as when, cast, func, or_, select
from sqlalchemy.orm import Session

from caseapp.cases import lifecycle, reporting as case_figures
from caseapp.clients import services as clients
from caseapp.core.money import Money
from caseapp.letters import reporting as letter_figures
from caseapp.payments import reporting as payment_figures
from caseapp.payouts import reporting as payout_figures

MONTHS = 12
# What a cell holds, for the page (formatting) and the CSV (plain values).
TEXT, COUNT, MONEY, PERCENT, DAYS, MONTH = "text", "count", "money", "percent", "days", "month"


@dataclass(frozen=True)
class Filters:
    """Which cases the figures are about: a jurisdiction (ISO country code) and/or a client."""

    country: str | None = None
    client_id: int | None = None


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = TEXT


@dataclass
class Table:
    """One figure: its name (`key`, used in the CSV's address), title, what it counts, its
    columns and rows (tuples of plain values: str, int, Money, Decimal percent, None)."""

    key: str
    title: str
    caption: str
    columns: list[Column]
    rows: list[tuple] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# dates in SQL, on SQLite and PostgreSQL


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _month_of_day(session: Session, column):
    """'YYYY-MM' of a DATE column."""
    if _dialect(session) == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _month_of_moment(session: Session, column):
    """'YYYY-MM' of a UTC timestamp (PostgreSQL: timestamptz read in UTC; SQLite stores UTC)."""
    if _dialect(session) == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _day_of_moment(session: Session, column):
    """The UTC calendar day of a timestamp, as a DATE (PostgreSQL) or 'YYYY-MM-DD' (SQLite)."""
    if _dialect(session) == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def _days_between(session: Session, later, earlier):
    """Whole days from `earlier` to `later` (two dates as `_day_of_moment` gives them)."""
    if _dialect(session) == "postgresql":
        return later - earlier
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


def _within(query, scope, case_id, filters: Filters):
    """`query` narrowed to the cases in `scope` (joined by `case_id`) when a filter is set; without
    one every row counts, and the join (hundreds of thousands of rows) is left out."""
    if filters.country or filters.client_id:
        return query.join(scope, scope.c.case_id == case_id)
    return query


def months(today: date, count: int = MONTHS) -> list[str]:
    """The last `count` months up to today's, oldest first: ['2026-01', ..., '2026-12']."""
    found, year, month = [], today.year, today.month
    for _ in range(count):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


def _start_of(month: str) -> datetime:
    return datetime(int(month[:4]), int(month[5:7]), 1, tzinfo=timezone.utc)


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole in per cent, to one decimal (None when there is no whole)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------------
# the figures


def cases_by_stage(session: Session, filters: Filters, today: date) -> Table:
    """How many cases were in each stage at the end of each month. Read backwards from today's
    stages (one GROUP BY over the cases) and the stage moves since the first month (one GROUP BY
    over the audit trail, the cases' stage history): a month's end is the next month's end
    without the moves made in that next month."""
    window = months(today)
    scope = case_figures.cases(country=filters.country, client_id=filters.client_id).subquery()
    now = {stage: count for stage, count in session.execute(
        select(scope.c.stage, func.count()).group_by(scope.c.stage))}
    moves = case_figures.stage_moves(_start_of(window[0])).subquery()
    month = _month_of_moment(session, moves.c.occurred_at)
    flows = session.execute(
        _within(select(month, moves.c.from_state, moves.c.to_state, func.count()), scope, moves.c.case_id, filters)
        .group_by(month, moves.c.from_state, moves.c.to_state)).all()
    stages = list(lifecycle.STAGES)
    counts = {stage: now.get(stage, 0) for stage in stages}

    def undo(months_undone) -> None:
        for moved_in, from_state, to_state, number in flows:
            if moved_in in months_undone:
                if to_state in counts:
                    counts[to_state] -= number
                if from_state in counts:
                    counts[from_state] += number

    undo({m for m, *_ in flows if m > window[-1]})   # moves after today's month (a clock ahead)
    rows = []
    for key in reversed(window):
        rows.append((key, *(counts[stage] for stage in stages)))
        undo({key})
    columns = [Column("month", _("Month"), MONTH)] + [
        Column(stage, str(lifecycle.STAGE_LABELS[stage]), COUNT) for stage in stages]
    return Table("stages", _("Cases by stage over time"),
                 _("Cases in each stage at the end of each month (this month: today)."),
                 columns, rows[::-1])


def closure_reasons(session: Session, filters: Filters) -> Table:
    """Closed cases by the reason they were closed for."""
    scope = case_figures.cases(country=filters.country, client_id=filters.client_id).subquery()
    found = session.execute(
        select(scope.c.closure_reason, func.count()).where(scope.c.stage == lifecycle.CLOSED)
        .group_by(scope.c.closure_reason).order_by(func.count().desc(), scope.c.closure_reason)).all()
    rows = [(lifecycle.closure_label(reason) or _("(no reason)"), number) for reason, number in found]
    return Table("closures", _("Closure reasons"), _("Closed cases by why they were closed (all time)."),
                 [Column("reason", _("Reason")), Column("cases", _("Cases"), COUNT)], rows)


def collection_rate(session: Session, filters: Filters) -> Table:
    """Of the cases claimed (a first letter went out), how many paid anything and how much of the
    claim was collected, per currency (the case's): by count and by amount."""
    scope = case_figures.cases(country=filters.country, client_id=filters.client_id).subquery()
    letters = letter_figures.first_sent().subquery()
    paid = payment_figures.collections().subquery()
    per_case = (select(paid.c.case_id, paid.c.currency, func.sum(paid.c.claim_minor).label("collected"))
                .group_by(paid.c.case_id, paid.c.currency).subquery())
    found = session.execute(
        select(scope.c.currency, func.count(), func.sum(scope.c.claimed_minor),
               func.count(per_case.c.case_id), func.coalesce(func.sum(per_case.c.collected), 0))
        .join(letters, letters.c.case_id == scope.c.case_id)
        .outerjoin(per_case, and_(per_case.c.case_id == scope.c.case_id, per_case.c.currency == scope.c.currency))
        .group_by(scope.c.currency).order_by(scope.c.currency)).all()
    rows = []
    for currency, claimed_cases, claimed, paid_cases, collected in found:
        claimed, collected = int(claimed or 0), int(collected or 0)
        rows.append((currency, claimed_cases, paid_cases, percent(paid_cases, claimed_cases),
                     Money(claimed, currency), Money(collected, currency), percent(collected, claimed)))
    return Table("collection", _("Collection rate"),
                 _("Cases a letter was sent in (all time): how many paid, and how much of the claim came in."),
                 [Column("currency", _("Currency")), Column("claimed_cases", _("Cases claimed"), COUNT),
                  Column("paid_cases", _("Cases that paid"), COUNT),
                  Column("rate_count", _("Rate by count"), PERCENT),
                  Column("claimed", _("Claimed"), MONEY), Column("collected", _("Collected"), MONEY),
                  Column("rate_amount", _("Rate by amount"), PERCENT)], rows)


def money_by_month(session: Session, filters: Filters, today: date) -> Table:
    """What came in for cases (payments booked) and what went out to clients (their shares in
    batches the bank confirmed), per month and currency."""
    window = months(today)
    start = _start_of(window[0])
    scope = case_figures.cases(country=filters.country, client_id=filters.client_id).subquery()
    paid = payment_figures.collections().subquery()
    month = _month_of_day(session, paid.c.booked_on)
    collected = {(m, c): int(total) for m, c, total in session.execute(
        _within(select(month, paid.c.currency, func.sum(paid.c.amount_minor)), scope, paid.c.case_id, filters)
        .where(paid.c.booked_on >= start.date())
        .group_by(month, paid.c.currency))}
    out = payout_figures.paid_out().subquery()
    month = _month_of_moment(session, out.c.paid_at)
    paid_out = {(m, c): int(total) for m, c, total in session.execute(
        _within(select(month, out.c.currency, func.sum(out.c.paid_minor)), scope, out.c.case_id, filters)
        .where(out.c.paid_at >= start)
        .group_by(month, out.c.currency))}
    currencies = sorted({c for _, c in collected} | {c for _, c in paid_out})
    rows = [(key, currency, Money(collected.get((key, currency), 0), currency),
             Money(paid_out.get((key, currency), 0), currency))
            for key in window for currency in currencies]
    return Table("money", _("Collected and paid out"),
                 _("Payments booked for cases, and the clients' shares paid in confirmed batches, per month "
                        "and currency."),
                 [Column("month", _("Month"), MONTH), Column("currency", _("Currency")),
                  Column("collected", _("Collected"), MONEY), Column("paid_out", _("Paid out"), MONEY)],
                 rows)


def _percentiles(session: Session, spans, window: list[str]) -> dict[str, tuple[int, int, int]]:
    """Per month: (cases, median days, 90th percentile days) of `spans` (a subquery of month and
    days), by nearest rank, in SQL: each month's spans are numbered in order and the rows at
    ceil(n/2) and ceil(0.9 n) picked."""
    ranked = select(spans.c.month, spans.c.days,
                    func.row_number().over(partition_by=spans.c.month, order_by=spans.c.days).label("rank"),
                    func.count().over(partition_by=spans.c.month).label("n")).where(
        spans.c.month >= window[0], spans.c.days.is_not(None)).subquery()
    median_rank = (ranked.c.n * 50 + 99) // 100
    p90_rank = (ranked.c.n * 90 + 99) // 100
    found = session.execute(
        select(ranked.c.month, func.max(ranked.c.n),
               func.max(when((ranked.c.rank == median_rank, ranked.c.days))),
               func.max(when((ranked.c.rank == p90_rank, ranked.c.days))))
        .where(or_(ranked.c.rank == median_rank, ranked.c.rank == p90_rank))
        .group_by(ranked.c.month)).all()
    return {month: (int(n), int(median), int(p90)) for month, n, median, p90 in found}


def durations(session: Session, filters: Filters, today: date) -> Table:
    """How long cases take: from the hit (its sighting found) to the first letter sent, and from
    the first letter to the first payout to the client; median and 90th percentile in days, by
    the month the span ended in (the letter sent, the batch confirmed)."""
    window = months(today)
    scope = case_figures.cases(country=filters.country, client_id=filters.client_id).subquery()
    letters = letter_figures.first_sent().subquery()
    found = case_figures.first_found().subquery()
    hit_to_letter = (select(_month_of_day(session, letters.c.first_sent_on).label("month"),
                            _days_between(session, letters.c.first_sent_on,
                                          _day_of_moment(session, found.c.found_at)).label("days"))
                     .join(scope, scope.c.case_id == letters.c.case_id)
                     .join(found, found.c.case_id == letters.c.case_id)).subquery()
    out = payout_figures.paid_out().subquery()
    first_paid = select(out.c.case_id, func.min(out.c.paid_at).label("paid_at")).group_by(out.c.case_id).subquery()
    letter_to_payout = (select(_month_of_moment(session, first_paid.c.paid_at).label("month"),
                               _days_between(session, _day_of_moment(session, first_paid.c.paid_at),
                                             letters.c.first_sent_on).label("days"))
                        .join(scope, scope.c.case_id == first_paid.c.case_id)
                        .join(letters, letters.c.case_id == first_paid.c.case_id)).subquery()
    first = _percentiles(session, hit_to_letter, window)
    second = _percentiles(session, letter_to_payout, window)
    rows = [(key, *first.get(key, (0, None, None)), *second.get(key, (0, None, None))) for key in window]
    return Table("durations", _("Time to first letter and to payout"),
                 _("Days from the hit to the first letter, and from the first letter to the first payout, "
                        "by the month each ended in: median and 90th percentile."),
                 [Column("month", _("Month"), MONTH),
                  Column("letters", _("Letters sent"), COUNT),
                  Column("letter_median", _("Hit to letter, median"), DAYS),
                  Column("letter_p90", _("Hit to letter, 90th percentile"), DAYS),
                  Column("payouts", _("Paid out"), COUNT),
                  Column("payout_median", _("Letter to payout, median"), DAYS),
                  Column("payout_p90", _("Letter to payout, 90th percentile"), DAYS)], rows)


FIGURES = ("stages", "closures", "collection", "money", "durations")


def dashboard(session: Session, filters: Filters, today: date) -> list[Table]:
    """Every figure, in the page's order."""
    return [cases_by_stage(session, filters, today), closure_reasons(session, filters),
            collection_rate(session, filters), money_by_month(session, filters, today),
            durations(session, filters, today)]


def choices(session: Session) -> tuple[list[str], list[tuple[int, str]]]:
    """What the filters offer: the countries cases are in, and the clients (id, name)."""
    return countries(session), clients.client_choices(session)


def countries(session: Session) -> list[str]:
    """The countries cases are in (a scan of every case: 28 ms at 100,000; the page keeps them
    with its figures)."""
    return [c for (c,) in session.execute(case_figures.known_countries())]


def client_choices(session: Session) -> list[tuple[int, str]]:
    """The clients a filter offers (id, name)."""
    return clients.client_choices(session)


# ---------------------------------------------------------------------------------------------
# plain values: CSV and the command line


def plain(value) -> str:
    """A cell as the CSV and the command line write it: amounts as plain decimals (their currency
    is a column), per cents to one decimal, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, Money):
        return value.amount_text()
    return str(value)


def as_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.label for column in table.columns])
    for row in table.rows:
        writer.writerow([plain(value) for value in row])
    return buffer.getvalue()


def as_dict(table: Table) -> dict:
    return {"key": table.key, "title": table.title, "columns": [c.key for c in table.columns],
            "rows": [dict(zip([c.key for c in table.columns], [plain(v) for v in row])) for row in table.rows]}
