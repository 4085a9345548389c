"""Is a claim feasible, and what is it worth? Decided before anyone files, from the rules
in `jurisdictions/` that anyone can read; every answer carries the figures it used and
where each one comes from."""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from sqlalchemy.orm import Session

from caseapp.core.errors import InvalidInput
from caseapp.core.money import Money, minor_digits
from caseapp.deadlines import services as deadlines
from caseapp.feasibility import wording
from caseapp.feasibility.rules import Jurisdiction, Route, fee_table, jurisdiction, load

OUT_OF_COURT = "out-of-court"


# --- money across currencies -------------------------------------------------------------

def per_eur(currency: str) -> Fraction:
    """Units of `currency` per euro, from the country files (an estimate, dated there)."""
    if currency == "EUR":
        return Fraction(1)
    for country in load()[0].values():
        if country.currency == currency:
            return country.per_eur()
    raise InvalidInput(f"No exchange rate for {currency}: no country file uses it.")


def convert(amount: Money, currency: str) -> Money:
    """`amount` in `currency`, through the euro (rounded half away from zero, as Money does)."""
    if amount.currency == currency:
        return amount
    factor = Fraction(10 ** minor_digits(currency), 10 ** minor_digits(amount.currency)) \
        * per_eur(currency) / per_eur(amount.currency)
    return Money(amount.minor, currency) * factor


# --- limitation ----------------------------------------------------------------------------

EARLIEST_DAY = date(1900, 1, 1)     # dates outside these are typing errors, refused naming the field
LATEST_DAY = date(2200, 12, 31)

# The EU member states for the European Small Claims Procedure, Denmark excepted
# (Regulation (EC) 861/2007 art. 2(3): "Member State" means every member state but Denmark).
ESCP_STATES = frozenset("AT BE BG CY CZ DE EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())


def _add_years(day: date, years: int) -> date:
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


@dataclass(frozen=True)
class Limitation:
    """When the claim for one day of use ends, and under which rule."""
    ends: date
    years: int
    long_stop: bool         # the absolute period ended it before the ordinary one
    source: str
    moved: tuple[str, ...] = ()     # why the end moved to the next working day (DE: § 193 BGB), if it did


def limitation_for(country: Jurisdiction, *, infringed_on: date, known_on: date | None = None,
                   subdivision: str | None = None) -> Limitation:
    """The limitation of the claim for a use on `infringed_on`. `known_on`: when the client
    learned of the use and who is behind it (defaults to the day of the use). An end on a
    weekend or holiday (of the party's `subdivision`) moves where the country's law moves it
    (`[limitation] end_moves_past`; caseapp.deadlines.move_end)."""
    found = _limitation_for(country, infringed_on=infringed_on, known_on=known_on)
    end = deadlines.move_end(country, found.ends, subdivision=subdivision)
    if end.due_on == found.ends:
        return found
    return Limitation(end.due_on, found.years, found.long_stop, found.source, end.reasons[1:])


def _limitation_for(country: Jurisdiction, *, infringed_on: date, known_on: date | None = None) -> Limitation:
    rule = country.section("limitation")
    known = max(known_on or infringed_on, infringed_on)
    years = rule["years"]
    if rule["starts"] == "end_of_year_of_knowledge":
        ends = date(known.year + years, 12, 31)
    elif rule["starts"] == "knowledge":
        ends = _add_years(known, years)
    else:
        ends = _add_years(infringed_on, years)
    if rule.get("absolute_years"):
        stop = _add_years(infringed_on, rule["absolute_years"])
        if stop < ends:
            return Limitation(stop, rule["absolute_years"], True, rule.get("absolute_source", rule["source"]))
    return Limitation(ends, years, False, rule["source"])


def limitation_ends(country: Jurisdiction, *, infringed_on: date, known_on: date | None = None,
                    subdivision: str | None = None) -> date:
    """The last day a claim for a use on `infringed_on` can be brought."""
    return limitation_for(country, infringed_on=infringed_on, known_on=known_on, subdivision=subdivision).ends


def _first_day(first: date, last: date, ok) -> date | None:
    """The first day in [first, last] for which `ok` holds, `ok` being false up to some day and
    true from it on (a claim's limitation only ends later for a later day of use)."""
    if not ok(last):
        return None
    low, high = first, last
    while low < high:
        middle = low + (high - low) // 2
        if ok(middle):
            high = middle
        else:
            low = middle + timedelta(days=1)
    return low


@dataclass(frozen=True)
class UsePeriod:
    """Which days of a use can still be claimed. Each day of a continuing use gives a claim of
    its own with its own limitation (DE: BGH I ZR 148/13 "Motorradteile"; US: the separate-
    accrual rule, Petrella v. MGM, 572 U.S. 663 (2014)), so only the days before the period
    are barred, not the whole use. Where the country lets the saved licence fee be claimed
    after the limitation (DE: § 102 sentence 2 UrhG with § 852 BGB), those days are counted
    apart."""
    first: date
    last: date
    claimable_from: date | None      # the first day still claimable (None: none is)
    residual_from: date | None       # the first day only the saved licence fee can be claimed for
    limitation: Limitation           # of the first claimable day, else of the last day of use
    reach_back_from: date | None     # damages only from this day on (SE: 54 § URL)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def claimable_days(self) -> int:
        return (self.last - self.claimable_from).days + 1 if self.claimable_from else 0

    @property
    def residual_days(self) -> int:
        if self.residual_from is None:
            return 0
        until = self.claimable_from or (self.last + timedelta(days=1))
        return (until - self.residual_from).days


def use_period(country: Jurisdiction, *, first: date, last: date, known_on: date | None, today: date,
               subdivision: str | None = None) -> UsePeriod:
    """The claimable days of a use seen from `first` to `last`, as of `today` (limitation ends
    moved past the weekends and holidays of the party's `subdivision` where the law says so)."""
    rule = country.section("limitation")
    reach = rule.get("reach_back_years")
    reach_from = _add_years(today, -reach) if reach else None

    def claimable(day: date) -> bool:
        if reach_from and day < reach_from:
            return False
        return today <= limitation_for(country, infringed_on=day, known_on=known_on, subdivision=subdivision).ends

    claimable_from = _first_day(first, last, claimable)
    residual_from = None
    if rule.get("residual_years"):
        residual_end = (claimable_from - timedelta(days=1)) if claimable_from else last
        if residual_end >= first:
            residual_from = _first_day(first, residual_end,
                                       lambda day: today <= _add_years(day, rule["residual_years"]))
    limitation = limitation_for(country, infringed_on=claimable_from or last, known_on=known_on,
                                subdivision=subdivision)
    return UsePeriod(first, last, claimable_from, residual_from, limitation, reach_from)


def check_day(value: date | None, field: str, *, today: date | None = None) -> None:
    """Refuse a date outside 1900-2200, or (given `today`) after today, naming the field."""
    if value is None:
        return
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise InvalidInput(f"{field} {value.isoformat()} is out of range: give a date between "
                           f"{EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}.")
    if today is not None and value > today:
        raise InvalidInput(f"{field} {value.isoformat()} is after today ({today.isoformat()}): "
                           "a use or its discovery cannot be in the future.")


# --- assessment ----------------------------------------------------------------------------

@dataclass
class Figure:
    label: str
    value: str
    source: str
    estimate: bool


@dataclass(frozen=True)
class Finding:
    """A reason a claim is not feasible, or a note on it: a code and its parameters (money,
    dates, names). `str()` words it (feasibility/wording.py), for pages and commands."""
    code: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return wording.text(self.code, self.params)


@dataclass
class Assessment:
    country: str
    feasible: bool
    reasons: list[Finding]
    notes: list[Finding]
    route: str
    route_name: str
    amount: Money
    recoverable: Money
    expected_value: Money
    limitation_ends: date | None
    figures: list[Figure] = field(default_factory=list)
    period: UsePeriod | None = None

    def as_dict(self) -> dict:
        period = self.period
        return {"feasible": self.feasible, "reasons": [str(r) for r in self.reasons], "route": self.route,
                "expected_value": self.expected_value.amount_text(), "currency": self.expected_value.currency,
                "limitation_ends": self.limitation_ends.isoformat() if self.limitation_ends else None,
                "country": self.country, "route_name": self.route_name, "notes": [str(n) for n in self.notes],
                "reason_codes": [r.code for r in self.reasons], "note_codes": [n.code for n in self.notes],
                "recoverable": self.recoverable.amount_text(),
                "use": None if period is None else {
                    "first_day": period.first.isoformat(), "last_day": period.last.isoformat(),
                    "days": period.days, "claimable_days": period.claimable_days,
                    "claimable_from": period.claimable_from.isoformat() if period.claimable_from else None,
                    "residual_days": period.residual_days},
                "figures": [{"label": f.label, "value": f.value, "source": f.source, "estimate": f.estimate}
                            for f in self.figures]}


def holiday_calendar(country: Jurisdiction, subdivision: str | None) -> Figure:
    """The public holidays that move deadlines there: the country's calendar, or one state's
    (refused with the known ones when the state is not in the `holidays` package)."""
    import holidays

    calendar = country.section("holidays")
    code = calendar["country"]
    if subdivision:
        known = holidays.country_holidays(code).subdivisions
        if subdivision.upper() not in {s.upper() for s in known}:
            raise InvalidInput(f"'{subdivision}' is not a state or region of {country.name} in the holiday "
                               f"calendar; use one of: {', '.join(known)}.")
    chosen = subdivision.upper() if subdivision else calendar.get("default_subdivision")
    where = f"{code}-{chosen}" if chosen else code
    return Figure("holiday calendar for deadlines", where + ("" if subdivision or not chosen else " (default)"),
                  "python-holidays", False)


def _figure(country: Jurisdiction, section: str, label: str, value: str) -> Figure:
    part = country.section(section)
    return Figure(label, value, part.get("source", ""), bool(part.get("estimate")))


def _check_dates(*, infringed_on: date, known_on: date | None, last_seen: date | None, today: date,
                 us_registered_on: date | None, us_applied_on: date | None) -> None:
    check_day(today, "today")
    check_day(infringed_on, "the first day of use", today=today)
    check_day(known_on, "the day the client learned of the use", today=today)
    check_day(last_seen, "the last day the use was seen", today=today)
    check_day(us_registered_on, "the US registration date")
    check_day(us_applied_on, "the US application date")
    if known_on and known_on < infringed_on:
        raise InvalidInput("The day the infringement became known cannot be before the infringement itself.")
    if last_seen and last_seen < infringed_on:
        raise InvalidInput(f"The last day the use was seen ({last_seen.isoformat()}) cannot be before its first "
                           f"day ({infringed_on.isoformat()}).")


def _share(amount: Money, days: int, of: int) -> Money:
    return amount if days == of else amount * Fraction(days, of)


def _limitation_findings(country: Jurisdiction, period: UsePeriod, amount: Money,
                         reasons: list[Finding], notes: list[Finding], figures: list[Figure]) -> Money:
    """The findings on the use's limitation; returns the value of the days still claimable
    (with the residual claim's)."""
    rule = country.section("limitation")
    limitation = period.limitation
    kind = f"{limitation.years}-year long-stop from the day of use" if limitation.long_stop else \
        f"{limitation.years} years from {rule['starts'].replace('_', ' ')}"
    figures.append(Figure("limitation", f"{kind}: the claim for {(period.claimable_from or period.last).isoformat()} "
                          f"ends {limitation.ends.isoformat()}" + (f" ({' '.join(limitation.moved)})" if limitation.moved else ""),
                          limitation.source + (f"; {rule['end_source']}" if limitation.moved and rule.get("end_source") else ""),
                          bool(rule.get("estimate"))))
    claimable = _share(amount, period.claimable_days, period.days)
    residual = _share(amount, period.residual_days, period.days) if period.residual_days else Money.zero(amount.currency)
    barred_by_reach = period.reach_back_from is not None and period.last < period.reach_back_from
    if period.claimable_days == 0 and period.residual_days == 0:
        if barred_by_reach:
            reasons.append(Finding("reach_back_barred", {"years": rule["reach_back_years"],
                                                         "since": period.reach_back_from, "source": rule["source"]}))
        else:
            reasons.append(Finding("time_barred_long_stop" if limitation.long_stop else "time_barred",
                                   {"years": limitation.years, "ended": limitation.ends, "source": limitation.source}))
    elif period.claimable_days < period.days and period.claimable_from:
        by_reach = period.reach_back_from is not None and period.claimable_from == period.reach_back_from
        notes.append(Finding("reach_back" if by_reach else "partly_time_barred",
                             {"before": period.claimable_from, "days": period.claimable_days, "of": period.days,
                              "value": claimable, "years": rule.get("reach_back_years") if by_reach else limitation.years,
                              "source": rule["source"]}))
    if period.days > 1 and period.claimable_days and period.claimable_days < period.days:
        figures.append(Figure("claimable share of the use", f"{period.claimable_days} of {period.days} days: "
                              f"{claimable.format()}", "the amount pro rata by days of use", True))
    if period.residual_days:
        notes.append(Finding("residual_claim", {"value": residual, "days": period.residual_days,
                                                "since": period.residual_from, "years": rule["residual_years"],
                                                "source": rule.get("residual_source", rule["source"])}))
        figures.append(Figure("residual claim: the saved licence fee for the barred days (at most)",
                              residual.format(), rule.get("residual_source", rule["source"]), True))
    return claimable + residual


@dataclass(frozen=True)
class _Registration:
    domestic: bool
    registered: bool
    applied: bool
    timely: bool


def _registration(country: Jurisdiction, *, work_country: str | None, registered_on: date | None,
                  applied_on: date | None, infringed_on: date, today: date,
                  reasons: list[Finding], notes: list[Finding]) -> _Registration | None:
    """The country's registration rules (the United States'): who must register, what a
    pending application opens, what registering late costs."""
    if "registration" not in country.data:
        return None
    rule = country.section("registration")
    if work_country is None:
        notes.append(Finding("work_country_unknown", {"country": country.name}))
    domestic = work_country is None or work_country.upper() == country.code
    registered = registered_on is not None and registered_on <= today
    applied = registered or (applied_on is not None and applied_on <= today)
    timely = registered and registered_on <= infringed_on
    if domestic and not applied:
        reasons.append(Finding("not_registered", {"country": country.name, "source": rule["source"]}))
    elif not domestic and not registered:
        notes.append(Finding("foreign_unregistered", {"country": country.name, "work_country": work_country.upper()}))
    if applied and not registered:
        notes.append(Finding("application_pending", {"source": rule.get("pending_source", rule["source"])}))
    elif registered and not timely:
        grace = rule.get("timely_months_after_publication")
        notes.append(Finding("registered_late_grace", {"months": grace}) if grace else Finding("registered_late"))
    return _Registration(domestic, registered, applied, timely)


def _route_open(route: Route, country: Jurisdiction, registration: _Registration | None,
                client_country: str | None, notes: list[Finding]) -> bool:
    """Whether `route` is open to this claim at all (its amount limit aside)."""
    if route.registration == "domestic_works" and registration and registration.domestic \
            and not registration.registered:
        return False
    if route.registration == "application" and registration and not registration.applied:
        if not registration.domestic:
            notes.append(Finding("needs_application", {"route": route.name}))
        return False
    if route.cross_border_only:
        if not client_country:
            notes.append(Finding("cross_border_unknown", {"route": route.name}))
            return False
        client = client_country.upper()
        if client == country.code or client not in ESCP_STATES or country.code not in ESCP_STATES:
            notes.append(Finding("not_cross_border", {"route": route.name, "client": client,
                                                      "country": country.code}))
            return False
    if route.opens_for == "agreed_debt":
        notes.append(Finding("agreed_debt_only", {"route": route.name}))
        return False
    return True


def _cap(route: Route, registration: _Registration | None, works: int, currency: str) -> Money | None:
    """What the route may award at most (the Copyright Claims Board: per work and per claim,
    17 U.S.C. § 1504(e)(1))."""
    if not (route.cap_per_work_timely or route.cap_per_work_not_timely):
        return None
    timely = bool(registration and registration.timely)
    per_work = route.cap_per_work_timely if timely else route.cap_per_work_not_timely
    cap = per_work * works
    total = route.cap_total_timely if timely else route.cap_total_not_timely
    if total is not None:
        cap = min(cap, total)
    if route.max_claim is not None:
        cap = min(cap, route.max_claim)
    return convert(cap, currency)


def assess(country_code: str, *, amount: Money, commercial: bool | None, address: bool | None,
           infringed_on: date, today: date, known_on: date | None = None, last_seen: date | None = None,
           us_registered_on: date | None = None, us_applied_on: date | None = None,
           work_country: str | None = None, client_country: str | None = None,
           subdivision: str | None = None, works: int = 1, pursue_private: bool = False) -> Assessment:
    """Feasible or not with every reason, the recommended route, and the expected value
    (recoverable amount x probability of collecting - expected costs) with its figures.
    `amount` is the claim for the whole use, from `infringed_on` to `last_seen` (default: a
    one-off use on `infringed_on`); only its days still claimable count. `commercial`/`address`
    None: not checked yet (a note, not a reason). `pursue_private`: the client's policy on
    private, non-commercial recipients (default: not pursued)."""
    _check_dates(infringed_on=infringed_on, known_on=known_on, last_seen=last_seen, today=today,
                 us_registered_on=us_registered_on, us_applied_on=us_applied_on)
    country = jurisdiction(country_code)
    currency = amount.currency
    if country is None:
        zero = Money.zero(currency)
        return Assessment(country_code.upper(), False, [Finding("no_rules", {"country": country_code.upper() or "(unknown)"})],
                          [], OUT_OF_COURT, "none", amount, zero, zero, None)
    figures: list[Figure] = [holiday_calendar(country, subdivision)]
    country = country.for_region(subdivision)
    reasons: list[Finding] = []
    notes: list[Finding] = []
    enforcement = country.section("enforcement")
    if country.level == "none":
        reasons.append(Finding("not_enforceable", {"country": country.name, "note": enforcement["note"]}))
    if address is False:
        reasons.append(Finding("no_address"))
    elif address is None:
        notes.append(Finding("address_unchecked"))
    private = country.section("private_recipients")
    if commercial is False and not pursue_private:
        reasons.append(Finding("private_not_pursued"))
    elif commercial is False and private:
        notes.append(Finding("private_recipient", {"note": private["note"], "source": private["source"]}))
        if "capped_costs" in private:
            figures.append(_figure(country, "private_recipients",
                                   "recoverable costs of a first warning to a private person (capped)",
                                   convert(country.money("private_recipients", "capped_costs"), currency).format()))
    elif commercial is None:
        notes.append(Finding("commercial_unchecked"))
    originality = country.section("originality")
    if originality:     # shown, not priced: the handler checks the photograph's choices
        notes.insert(0, Finding("originality", {"country": country.name, "note": originality["note"],
                                                "source": originality.get("source", "")}))

    period = use_period(country, first=infringed_on, last=last_seen or infringed_on, known_on=known_on, today=today,
                        subdivision=subdivision)
    value = _limitation_findings(country, period, amount, reasons, notes, figures)
    minimum = convert(country.money("minimum_claim"), currency)
    figures.append(_figure(country, "minimum_claim", "minimum economic claim", minimum.format()))
    if value < minimum and not any(r.code.startswith(("time_barred", "reach_back")) for r in reasons):
        reasons.append(Finding("below_minimum", {"country": country.name, "amount": value, "minimum": minimum}))

    registration = _registration(country, work_country=work_country, registered_on=us_registered_on,
                                 applied_on=us_applied_on, infringed_on=infringed_on, today=today,
                                 reasons=reasons, notes=notes)
    route: Route | None = None
    if country.level in ("full", "partner_lawyer"):
        for candidate in country.routes:
            if not _route_open(candidate, country, registration, client_country, notes):
                continue
            if candidate.max_claim is not None and convert(value, candidate.currency) > candidate.max_claim:
                notes.append(Finding("route_limit", {"route": candidate.name, "limit": candidate.max_claim}))
                continue
            route = candidate
            break
        if route is None:
            notes.append(Finding("letters_only"))
    recoverable = value
    cap = _cap(route, registration, works, currency) if route is not None else None
    if cap is not None:
        figures.append(Figure(f"cap at the {route.name}", cap.format(), route.source, route.estimate))
        if recoverable > cap:
            recoverable = cap
            notes.append(Finding("capped", {"cap": cap, "route": route.name}))
    if route is not None and route.filed_by:
        notes.append(Finding("filed_by", {"route": route.name, "who": route.filed_by}))

    collect = country.ratio("enforcement", "collect_probability")
    to_court = country.ratio("enforcement", "court_probability") if route is not None else Fraction(0)
    letters = convert(country.money("costs", "out_of_court"), currency)
    court = convert(route.court_fee + route.lawyer_cost, currency) if route is not None else Money.zero(currency)
    expected = recoverable * collect - letters - court * to_court
    figures += [
        _figure(country, "enforcement", "probability of collecting", f"{float(collect):.0%}"),
        _figure(country, "costs", "out-of-court costs (letters, handling)", letters.format()),
    ]
    if route is not None:
        who = route.filed_by or "lawyer"
        figures += [Figure(f"{route.name}: court fee + {who}", court.format(), route.source, route.estimate),
                    _figure(country, "enforcement", "probability the case goes to court", f"{float(to_court):.0%}")]
    figures.append(Figure("expected value = recoverable x collecting - costs - court costs x going to court",
                          expected.format(), "caseapp's formula", False))
    feasible = not reasons
    if feasible and expected <= Money.zero(currency):
        feasible = False
        reasons.append(Finding("costs_outweigh", {"expected": expected}))
    return Assessment(country.code, feasible, reasons, notes,
                      route.id if route else OUT_OF_COURT,
                      route.name if route else ("letters only, no court route" if country.level != "none"
                                                else "none"),
                      amount, recoverable, expected if feasible else Money.zero(currency), _claim_ends(country, period),
                      figures, period)


def _claim_ends(country: Jurisdiction, period: UsePeriod) -> date:
    """When the oldest part still claimable lapses: the limitation of the first claimable day,
    or, where only the residual claim is left, the residual claim of its first day."""
    if period.claimable_days == 0 and period.residual_days:
        return _add_years(period.residual_from, country.section("limitation")["residual_years"])
    return period.limitation.ends


# --- claim amounts: caseapp.feasibility.amounts ---------------------------------------------

from caseapp.feasibility.amounts import (DEFAULT_FLOOR_PERCENT, EVIDENCE, ClaimAmount, Line,  # noqa: E402,F401
                                         claim_amount, sales_history_fee)


# --- where people decide: the hit, the draft case, the case page ----------------------------

FIRST_USAGE = "web-commercial"   # until the site's use is checked, a hit is priced as commercial web use


def _on_or_before(day: date | None, today: date) -> date | None:
    """A day from the crawler's clock, never after today (a sighting stamped ahead of us)."""
    return None if day is None else min(day, today)


def timely_registered(us_registered_on: date | None, infringed_on: date) -> bool:
    """Registered before the infringement began: statutory damages are open (17 U.S.C. § 412;
    the three months' grace after publication is not known here, so not counted)."""
    return us_registered_on is not None and us_registered_on <= infringed_on


def first_estimate(country_code: str, *, found_on: date, today: date, images: int = 1,
                   address: bool | None = None, last_seen_on: date | None = None,
                   client_country: str | None = None, pursue_private: bool = False,
                   subdivision: str | None = None, work_country: str | None = None,
                   us_registered_on: date | None = None, us_applied_on: date | None = None,
                   evidence: str = "none", commercial: bool | None = None) -> tuple[ClaimAmount | None, Assessment]:
    """What a hit (or a new draft case) is likely worth before anyone checked the site: priced
    as a commercial web use from its first to its last sighting (not until today: a use is
    claimed for the days it is shown), at the rate the evidence of the client's licensing
    supports; commercial use (`commercial`: the party's lookup verdict, None until known) and
    address as far as known. A use seen again later
    (`last_seen_on`) is a continuing one. The works' country of first publication and US
    registration (their ownership evidence) count as on a case; without them, the client's
    country stands in for the work's."""
    country = jurisdiction(country_code)
    found_on = _on_or_before(found_on, today)
    last_seen_on = max(found_on, _on_or_before(last_seen_on, today) or found_on)
    amount = None
    if country is not None:
        amount = claim_amount(country.code, usage=FIRST_USAGE, days=(last_seen_on - found_on).days + 1,
                              images=images, evidence=evidence,
                              registered=timely_registered(us_registered_on, found_on))
    claimed = amount.total if amount else Money.zero("EUR")
    return amount, assess(country_code, amount=claimed, commercial=commercial, address=address, infringed_on=found_on,
                          last_seen=last_seen_on, today=today, works=images, client_country=client_country,
                          work_country=work_country or client_country, us_registered_on=us_registered_on,
                          us_applied_on=us_applied_on, pursue_private=pursue_private,
                          subdivision=_known_subdivision(country, subdivision))


def _known_subdivision(country: Jurisdiction | None, subdivision: str | None) -> str | None:
    """A party's recorded state or region, if the holiday calendar knows it (a party's address
    may carry a region code the calendar does not: then the country's default)."""
    if country is None or not subdivision:
        return None
    try:
        holiday_calendar(country, subdivision)
    except InvalidInput:
        return None
    return subdivision


def assess_case(case, today: date) -> Assessment:
    """A case as it stands: its claim, its party's address and region, its client's country and
    policy, its earliest use found and the latest day a use was seen."""
    found = [item.found_at.date() for item in case.items if item.found_at] or [case.created_at.date()]
    # A use ends where a take-down check found the image gone (evidence: offline_since), whatever was seen before.
    seen = [min(filter(None, (item.last_seen_at or item.found_at, item.offline_since))).date()
            for item in case.items if item.last_seen_at or item.found_at]
    first = _on_or_before(min(found), today)
    last = max([first] + [_on_or_before(day, today) for day in seen])
    client = case.client
    from sqlalchemy.orm import object_session

    from caseapp.clients import services as clients

    session = object_session(case)
    terms = clients.work_terms(session, [item.work_id for item in case.items], fallback_country=client.country) \
        if session is not None else clients.WorkTerms(client.country, None, None)
    from caseapp.parties import services as parties

    # the site's commercial verdict from the address lookup (None until it ran, or when unknown)
    return assess(case.country, amount=case.claimed, commercial=parties.commercial_flag(case.party),
                  address=case.party.has_postal_address,
                  infringed_on=first, last_seen=last, today=today,
                  works=len({item.work_id for item in case.items}) or 1,
                  us_registered_on=terms.us_registered_on, us_applied_on=terms.us_applied_on,
                  client_country=client.country, work_country=terms.work_country,
                  pursue_private=bool(client.pursues_private_users),
                  subdivision=_known_subdivision(jurisdiction(case.country), case.party.subdivision))
