"""When a period of days ends, under the law of the place where it runs.

The German model (DOMAIN.md), which the other countries' rules vary (jurisdictions/<CC>.toml,
`[deadlines] period_source` and `[limitation] end_moves_past`/`end_source`, each sourced):

- a period of days starts the day after the event (§ 187(1) BGB) and ends at the end of its
  last day (§ 188(1) BGB);
- a last day on a Saturday, Sunday or public holiday at the place where the act is done moves
  to the next working day (§ 193 BGB) -- holidays of the party's state or region, from the
  `holidays` package;
- a letter's deadline is never shorter than the country's `[deadlines] legal_minimum_days`;
- the quiet period around Christmas and New Year (CASEAPP_QUIET_PERIOD, default 20 Dec to
  6 Jan): its days do not count, as the appeal periods of Austrian civil procedure stand still
  from 24 Dec to 6 Jan (§ 222(1) ZPO, AT) and German periods stood still in the former court
  holidays (§ 223 ZPO old version). Chosen over "an end inside it moves after it" because a
  letter sent on 10 December then still leaves the recipient the full number of days outside
  the holidays, not a handful before them and one day after.

caseapp moves its own letter deadlines past weekends and holidays in every country (a later
date is the safe side of a letter); a limitation period's end moves only where the law says
so (an earlier date is the safe side of a claim), and only past public holidays (not a
Catholic community's).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from caseapp.core.errors import InvalidInput
from caseapp.feasibility.rules import Jurisdiction, jurisdiction

# What moved a deadline, in words (Deadline.moved_by).
LEGAL_MINIMUM = "legal minimum"
QUIET_PERIOD = "quiet period"
WEEKEND = "weekend"
HOLIDAYS = "holidays"

# Kinds of period.
LETTER = "letter"          # a deadline given to a party in a letter: calendar days, minimum, quiet period
INTERNAL = "internal"      # the firm's own work period: working days of its calendar
LIMITATION = "limitation"  # a limitation period's end (move_end)
KINDS = (LETTER, INTERNAL)

SATURDAY, SUNDAY, HOLIDAY = "saturday", "sunday", "holiday"
EVERY_DAY_OFF = (SATURDAY, SUNDAY, HOLIDAY)
DEFAULT_QUIET = ((12, 20), (1, 6))
MAX_DAYS = 3650
EARLIEST, LATEST = date(1950, 1, 1), date(2150, 12, 31)
NO_PERIOD_RULE = ("no rule is recorded for this country: caseapp counts as §§ 187(1), 188(1), 193 BGB do "
                  "(an estimate)")


@dataclass(frozen=True)
class Deadline:
    """The last day of a period (the act is in time until its end), why, and what moved it."""

    due_on: date
    reasons: tuple[str, ...]
    moved_by: tuple[str, ...] = ()
    calendar: str = ""               # the holiday calendar used, e.g. "DE-NW"
    start: date | None = None
    days: int = 0                    # the days counted (the legal minimum where it applied)
    estimate: bool = False           # the rule for this country is caseapp's estimate

    def explain(self) -> str:
        return "\n".join(self.reasons)


def day_words(day: date) -> str:
    """'Thu 4 June 2026' (English; letters format dates in their own language)."""
    return f"{day:%a} {day.day} {day:%B} {day.year}"


# --- calendars -------------------------------------------------------------------------------

def supported_countries() -> list[str]:
    import holidays

    return sorted(code for code in holidays.list_supported_countries() if len(code) == 2)


@lru_cache(maxsize=256)
def _holidays(code: str, subdivision: str | None, categories: tuple[str, ...]):
    import holidays

    return holidays.country_holidays(code, subdiv=subdivision, categories=categories)


@dataclass(frozen=True)
class Calendar:
    """The public holidays of one country (and state or region) in the `holidays` package."""

    country: str
    subdivision: str | None
    categories: tuple[str, ...] = ("public",)
    default_subdivision: bool = False      # the region was not known: the country file's default

    @property
    def name(self) -> str:
        return f"{self.country}-{self.subdivision}" if self.subdivision else self.country

    def holiday(self, day: date) -> str | None:
        return _holidays(self.country, self.subdivision, self.categories).get(day)

    def day_off(self, day: date, days_off=EVERY_DAY_OFF) -> str | None:
        """Why `day` is not a working day ("Sunday", "Corpus Christi"), or None."""
        if SATURDAY in days_off and day.weekday() == 5:
            return "a Saturday"
        if SUNDAY in days_off and day.weekday() == 6:
            return "a Sunday"
        if HOLIDAY in days_off:
            name = self.holiday(day)
            if name:
                return f"{name}, a public holiday in {self.name}"
        return None


def _country_code(country: str | Jurisdiction) -> tuple[str, Jurisdiction | None]:
    if isinstance(country, Jurisdiction):
        return country.code, country
    code = (country or "").strip().upper()
    if not (len(code) == 2 and code.isascii() and code.isalpha()):
        raise InvalidInput(f"'{country}' is not a country code: give two letters, e.g. DE.")
    return code, jurisdiction(code)


def calendar(country: str | Jurisdiction, subdivision: str | None = None, *, kind: str = LETTER) -> Calendar:
    """The holiday calendar of `country` (a jurisdiction's `[holidays]` names it and its default
    region) and `subdivision`; an unknown country or region is refused naming the known ones."""
    import holidays

    code, rules = _country_code(country)
    section = rules.section("holidays") if rules else {}
    holiday_country = section.get("country", code)
    if holiday_country not in holidays.list_supported_countries():
        raise InvalidInput(f"'{code}' is not a country in the holiday calendar; use one of: "
                           f"{', '.join(supported_countries())}.")
    known = list(holidays.country_holidays(holiday_country).subdivisions)
    default = False
    if subdivision:
        by_upper = {s.upper(): s for s in known}
        chosen = by_upper.get(subdivision.strip().upper())
        if chosen is None:
            raise InvalidInput(f"'{subdivision}' is not a state or region of {code} in the holiday calendar; "
                               + (f"use one of: {', '.join(known)}." if known else "it has none: leave it out."))
    else:
        chosen = section.get("default_subdivision")
        default = chosen is not None
    supported_categories = holidays.country_holidays(holiday_country).supported_categories
    wanted = ("public",) if kind == LIMITATION else ("public", *section.get("categories", ()))
    categories = tuple(sorted({c for c in wanted if c in supported_categories})) or ("public",)
    return Calendar(holiday_country, chosen, categories, default)


def firm_calendar(setting: tuple[str, str | None] | None = None) -> Calendar:
    """The firm's own working days (CASEAPP_FIRM_CALENDAR, default DE-BE)."""
    country, region = setting or _setting("CASEAPP_FIRM_CALENDAR", ("DE", "BE"))
    return calendar(country, region, kind=INTERNAL)


def _setting(name: str, default):
    try:
        from flask import current_app

        return current_app.config.get(name, default)
    except RuntimeError:      # outside an app (a library call, a unit test): the environment's
        from caseapp import config

        return {"CASEAPP_QUIET_PERIOD": config.quiet_period, "CASEAPP_FIRM_CALENDAR": config.firm_calendar}[name]()


# --- the quiet period --------------------------------------------------------------------------

def in_quiet_period(day: date, quiet) -> bool:
    if not quiet:
        return False
    (m1, d1), (m2, d2) = quiet
    key, first, last = (day.month, day.day), (m1, d1), (m2, d2)
    if first <= last:
        return first <= key <= last
    return key >= first or key <= last        # spans New Year


def _quiet_words(quiet) -> str:
    (m1, d1), (m2, d2) = quiet
    return f"{d1} {date(2024, m1, 1):%B} to {d2} {date(2024, m2, 1):%B}"


# --- deadlines ------------------------------------------------------------------------------------

def _check(start: date, days: int) -> None:
    if not isinstance(start, date) or not EARLIEST <= start <= LATEST:
        raise InvalidInput(f"The start of a period must be a day from {EARLIEST.year} to {LATEST.year}.")
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
        raise InvalidInput(f"A period is from 0 to {MAX_DAYS} days; '{days}' is not.")


def deadline(country: str | Jurisdiction, *, start: date, days: int, subdivision: str | None = None,
             kind: str = LETTER, quiet_period=None) -> Deadline:
    """The deadline `days` after the event on `start` under the rules of `country` (and its
    state or region `subdivision`, else the country file's default region).

    kind "letter": calendar days, at least the country's legal minimum, the days of the quiet
    period not counted, the end moved past weekends and holidays. kind "internal": `days`
    working days of that calendar (the firm's own work periods). `quiet_period`: ((12, 20),
    (1, 6)); None reads CASEAPP_QUIET_PERIOD; False for none."""
    if kind not in KINDS:
        raise InvalidInput(f"'{kind}' is not a kind of period; use one of: {', '.join(KINDS)}.")
    _check(start, days)
    cal = calendar(country, subdivision, kind=kind)
    code, rules = _country_code(country)
    where = cal.name + (" (the country's default region: the party's is not known)" if cal.default_subdivision else "")
    if kind == INTERNAL:
        return _working_days(cal, start, days, where)
    section = rules.section("deadlines") if rules else {}
    source = section.get("period_source", NO_PERIOD_RULE)
    estimate = bool(section.get("period_estimate", True)) if "period_source" in section else True
    quiet = _setting("CASEAPP_QUIET_PERIOD", DEFAULT_QUIET) if quiet_period is None else quiet_period
    reasons: list[str] = []
    moved: list[str] = []
    counted = days
    minimum = section.get("legal_minimum_days", 0)
    if days < minimum:
        counted = minimum
        moved.append(LEGAL_MINIMUM)
        reasons.append(f"{days} days are fewer than the {minimum} days {code} letters give at least "
                       f"({section.get('source', 'jurisdiction data')}): {minimum} days count.")
    day, counted_so_far, skipped = start, 0, 0
    while counted_so_far < counted:
        day += timedelta(days=1)
        if in_quiet_period(day, quiet):
            skipped += 1
            continue
        counted_so_far += 1
    nominal = start + timedelta(days=counted)
    reasons.insert(0, f"{counted} days from {day_words(start)} end on {day_words(nominal)}: the period starts the "
                      f"day after the event and ends at the end of its last day ({source}).")
    if skipped:
        moved.append(QUIET_PERIOD)
        reasons.append(f"{skipped} days of the quiet period ({_quiet_words(quiet)}) do not count: the period "
                       f"ends on {day_words(day)} instead (CASEAPP_QUIET_PERIOD).")
    day = _next_working_day(cal, day, EVERY_DAY_OFF, quiet, reasons, moved)
    reasons.append(f"Due: {day_words(day)} (holiday calendar {where}).")
    return Deadline(day, tuple(reasons), tuple(dict.fromkeys(moved)), cal.name, start, counted, estimate)


def _next_working_day(cal: Calendar, day: date, days_off, quiet, reasons: list[str], moved: list[str]) -> date:
    while True:
        why = cal.day_off(day, days_off)
        if why:
            moved.append(HOLIDAYS if "holiday" in why else WEEKEND)
            reasons.append(f"{day_words(day)} is {why}: the end moves to the next working day.")
        elif in_quiet_period(day, quiet):
            moved.append(QUIET_PERIOD)
            reasons.append(f"{day_words(day)} is in the quiet period ({_quiet_words(quiet)}): the end moves past it.")
        else:
            return day
        day += timedelta(days=1)


def _working_days(cal: Calendar, start: date, days: int, where: str) -> Deadline:
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if cal.day_off(day) is None:
            counted += 1
    reasons = (f"{days} working days from {day_words(start)} (weekends and public holidays of {where} do not "
               f"count): due {day_words(day)}.",)
    return Deadline(day, reasons, (), cal.name, start, days, False)


def working_days(start: date, days: int, *, setting: tuple[str, str | None] | None = None) -> Deadline:
    """`days` working days of the firm's own calendar after `start` (its internal work periods)."""
    _check(start, days)
    cal = firm_calendar(setting)
    return _working_days(cal, start, days, cal.name)


def move_end(country: str | Jurisdiction, day: date, *, subdivision: str | None = None) -> Deadline:
    """A limitation period's last day `day`, moved where the country's law moves it (its
    `[limitation] end_moves_past`, e.g. § 193 BGB) past a Saturday, Sunday or public holiday of
    the party's region; unmoved where the law does not say so (the safe side of a claim)."""
    code, rules = _country_code(country)
    section = rules.section("limitation") if rules else {}
    days_off = tuple(section.get("end_moves_past") or ())
    source = section.get("end_source", "no rule is recorded: the end does not move (the safe side)")
    if not days_off:
        return Deadline(day, (f"The limitation period ends on {day_words(day)}; it does not move past weekends "
                              f"or holidays ({source}).",), ())
    try:
        cal = calendar(country, subdivision, kind=LIMITATION)
    except InvalidInput:
        cal = calendar(country, None, kind=LIMITATION)
    reasons: list[str] = [f"The limitation period ends on {day_words(day)}; an end on {', '.join(days_off)} "
                          f"moves ({source})."]
    moved: list[str] = []
    due = _next_working_day(cal, day, days_off, None, reasons, moved)
    return Deadline(due, tuple(reasons), tuple(dict.fromkeys(moved)), cal.name, None, 0, bool(section.get("estimate")))


# How long each letter gives the party, in calendar days, where the country's file does not say
# (`[deadlines] letter_days` for the first letter, `reminder_days`, `final_demand_days`): 14 days
# is the convention for a first letter (DOMAIN.md; not a statute), shorter for the letters after
# it. One table for the case's clock (cases.services.due_on_entering) and the letters' dates.
LETTER_DAYS = {"offer": ("letter_days", 14), "reminder": ("reminder_days", 10),
               "final_demand": ("final_demand_days", 7), "warning_letter": ("letter_days", 14)}


def letter_days(country: str, kind: str) -> int:
    """The days a letter of `kind` gives a party in `country` (its file, else LETTER_DAYS)."""
    key, default = LETTER_DAYS.get(kind, ("letter_days", 14))
    rules = jurisdiction(country) if country else None
    section = rules.section("deadlines") if rules else {}
    return int(section.get(key) or default)


def letter_deadline(country: str, *, kind: str, start: date, subdivision: str | None = None,
                    days: int | None = None) -> Deadline:
    """The deadline a letter of `kind` sent on `start` gives a party in `country` (its region
    `subdivision` when the calendar knows it, else the country's default region; a country the
    holiday calendars do not know counts the firm's working days)."""
    days = letter_days(country, kind) if days is None else days
    for region in dict.fromkeys((subdivision, None)):
        try:
            return deadline(country, start=start, days=days, subdivision=region)
        except InvalidInput:
            continue
    return working_days(start, days)


def next_working_day(country: str, day: date, *, subdivision: str | None = None) -> date:
    """`day`, or the first day after it that is not a weekend or public holiday in `country`
    (e.g. an instalment's due date)."""
    for region in dict.fromkeys((subdivision, None)):
        try:
            cal = calendar(country, region, kind=LETTER)
        except InvalidInput:
            continue
        return _next_working_day(cal, day, EVERY_DAY_OFF, False, [], [])
    return _next_working_day(firm_calendar(), day, EVERY_DAY_OFF, False, [], [])
