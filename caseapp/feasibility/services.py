"""Is a claim feasible, and what is it worth? Decided before anyone files, from the rules
in `jurisdictions/` that anyone can read; every answer carries the figures it used and
where each one comes from."""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from sqlalchemy.orm import Session

from caseapp.core.errors import InvalidInput
from caseapp.core.money import Money, minor_digits
from caseapp.feasibility import wording
from caseapp.feasibility.rules import Jurisdiction, Route, fee_table, jurisdiction, load

OUT_OF_COURT = "out-of-court"
DEFAULT_FLOOR_PERCENT = 60


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

def _add_years(day: date, years: int) -> date:
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def limitation_ends(country: Jurisdiction, *, infringed_on: date, known_on: date | None = None) -> date:
    """The last day a claim can be brought. `known_on`: when the holder learned of the
    infringement and the infringer (defaults to the day of the infringement)."""
    rule = country.section("limitation")
    known = known_on or infringed_on
    years = rule["years"]
    if rule["starts"] == "end_of_year_of_knowledge":
        ends = date(known.year + years, 12, 31)
    elif rule["starts"] == "knowledge":
        ends = _add_years(known, years)
    else:
        ends = _add_years(infringed_on, years)
    if rule.get("absolute_years"):
        ends = min(ends, _add_years(infringed_on, rule["absolute_years"]))
    return ends


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

    def as_dict(self) -> dict:
        return {"feasible": self.feasible, "reasons": [str(r) for r in self.reasons], "route": self.route,
                "expected_value": self.expected_value.amount_text(), "currency": self.expected_value.currency,
                "limitation_ends": self.limitation_ends.isoformat() if self.limitation_ends else None,
                "country": self.country, "route_name": self.route_name, "notes": [str(n) for n in self.notes],
                "reason_codes": [r.code for r in self.reasons], "note_codes": [n.code for n in self.notes],
                "recoverable": self.recoverable.amount_text(),
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


def assess(country_code: str, *, amount: Money, commercial: bool | None, address: bool | None,
           infringed_on: date, today: date, known_on: date | None = None, us_registered_on: date | None = None,
           subdivision: str | None = None, works: int = 1) -> Assessment:
    """Feasible or not with every reason, the recommended route, and the expected value
    (recoverable amount x probability of collecting - expected costs) with its figures.
    `commercial`/`address` None: not checked yet (a note, not a reason)."""
    country = jurisdiction(country_code)
    currency = amount.currency
    if country is None:
        zero = Money.zero(currency)
        return Assessment(country_code.upper(), False, [Finding("no_rules", {"country": country_code.upper() or "(unknown)"})],
                          [], OUT_OF_COURT, "none", amount, zero, zero, None)
    reasons: list[Finding] = []
    notes: list[Finding] = []
    figures: list[Figure] = [holiday_calendar(country, subdivision)]
    enforcement = country.section("enforcement")
    if country.level == "none":
        reasons.append(Finding("not_enforceable", {"country": country.name, "note": enforcement["note"]}))
    if address is False:
        reasons.append(Finding("no_address"))
    elif address is None:
        notes.append(Finding("address_unchecked"))
    if commercial is False:
        reasons.append(Finding("not_commercial"))
    elif commercial is None:
        notes.append(Finding("commercial_unchecked"))
    minimum = convert(country.money("minimum_claim"), currency)
    figures.append(_figure(country, "minimum_claim", "minimum economic claim", minimum.format()))
    if amount < minimum:
        reasons.append(Finding("below_minimum", {"country": country.name, "amount": amount, "minimum": minimum}))
    if known_on and known_on < infringed_on:
        raise InvalidInput("The day the infringement became known cannot be before the infringement itself.")
    ends = limitation_ends(country, infringed_on=infringed_on, known_on=known_on)
    rule = country.section("limitation")
    figures.append(_figure(country, "limitation", "limitation",
                           f"{rule['years']} years from {rule['starts'].replace('_', ' ')}: ends {ends.isoformat()}"))
    if today > ends:
        reasons.append(Finding("time_barred", {"years": rule["years"], "ended": ends, "source": rule["source"]}))

    registered = timely = None
    if "registration" in country.data:
        registration = country.section("registration")
        registered = us_registered_on is not None and us_registered_on <= today
        timely = registered and us_registered_on <= infringed_on
        if not registered:
            reasons.append(Finding("not_registered", {"country": country.name, "source": registration["source"]}))
        elif not timely:
            grace = registration.get("timely_months_after_publication")
            notes.append(Finding("registered_late_grace", {"months": grace}) if grace else Finding("registered_late"))

    route: Route | None = None
    if country.level in ("full", "partner_lawyer"):
        for candidate in country.routes:
            if candidate.requires_registration and not registered:
                continue
            if candidate.max_claim is not None and convert(amount, candidate.currency) > candidate.max_claim:
                notes.append(Finding("route_limit", {"route": candidate.name, "limit": candidate.max_claim}))
                continue
            route = candidate
            break
        if route is None:
            notes.append(Finding("letters_only"))
    recoverable = amount
    if route is not None and (route.cap_per_work_timely or route.cap_per_work_not_timely):
        cap = route.cap_per_work_timely * works if timely else route.cap_per_work_not_timely * works
        if not timely and route.cap_total_not_timely is not None:
            cap = min(cap, route.cap_total_not_timely)
        cap = convert(cap, currency)
        figures.append(Figure(f"cap at the {route.name}", cap.format(), route.source, route.estimate))
        if recoverable > cap:
            recoverable = cap
            notes.append(Finding("capped", {"cap": cap, "route": route.name}))

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
        figures += [Figure(f"{route.name}: court fee + lawyer", court.format(), route.source, route.estimate),
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
                      amount, recoverable, expected if feasible else Money.zero(currency), ends, figures)


# --- claim amounts -------------------------------------------------------------------------

@dataclass
class Line:
    label: str
    amount: Money
    basis: str


@dataclass
class ClaimAmount:
    country: str
    usage: str
    months: int
    lines: list[Line]
    total: Money
    floor: Money
    estimate: bool

    def lines_as_data(self) -> list[dict]:
        """The lines as a case keeps them."""
        return [{"label": l.label, "amount": l.amount.amount_text(), "basis": l.basis} for l in self.lines]

    def as_dict(self) -> dict:
        return {"country": self.country, "usage": self.usage, "months": self.months,
                "currency": self.total.currency,
                "lines": self.lines_as_data(),
                "total": self.total.amount_text(), "floor": self.floor.amount_text(), "estimate": self.estimate}


def sales_history_fee(session: Session | None, work_id: int | None) -> Money | None:
    """The client's documented price for the work (their sales history), which overrides the
    fee table. Read through the clients service; it has none yet."""
    if session is None or work_id is None:
        return None
    from caseapp.clients import services as clients

    return clients.documented_fee(session, work_id)


def claim_amount(country_code: str, *, usage: str, months: int, credit_missing: bool = False,
                 amateur: bool = False, size: str = "medium", images: int = 1,
                 floor_percent: int = DEFAULT_FLOOR_PERCENT, session: Session | None = None,
                 work_id: int | None = None) -> ClaimAmount:
    """The amount to claim, line by line: the licence fee per image (the client's sales
    history, else the fee table, or the courts' amateur rate), the surcharge for a missing
    photo credit, the total, and the floor (the client's lowest acceptable share)."""
    country = jurisdiction(country_code)
    if country is None:
        raise InvalidInput(f"No rules for country {country_code}: add jurisdictions/{country_code.upper()}.toml.")
    if months < 1:
        raise InvalidInput("The use lasted at least a month; give --months 1 or more.")
    if images < 1:
        raise InvalidInput("A claim is for one image or more.")
    fees = country.section("fees")
    table = fee_table(fees["table"])
    if usage not in table.usages():
        raise InvalidInput(f"Unknown usage '{usage}'; one of: {', '.join(table.usages())}.")
    if size not in table.sizes():
        raise InvalidInput(f"Unknown size '{size}'; one of: {', '.join(table.sizes())}.")
    currency = country.currency
    level = Fraction(Decimal(fees["price_level"]))
    history = sales_history_fee(session, work_id)
    estimate = bool(fees.get("estimate")) or bool(table.data.get("estimate"))
    if history is not None:
        per_image = convert(history, currency)
        label, basis = "Licence fee per image, from the client's documented sales of this work", \
            "the client's invoices for this work"
        estimate = False
    elif amateur:
        base = Money.parse(fees.get("amateur_base", "100.00"), "EUR")
        per_image = convert(base * level, currency)
        label = "Licence fee per image at the rate courts allow amateurs"
        basis = f"BGH I ZR 187/17 (€100 for an amateur's photo instead of the table); price level {float(level):.2f}" \
            if country.code != "DE" else "BGH I ZR 187/17: €100 for an amateur's photo instead of the table"
    else:
        bands = table.data["bands"]
        index = next((i for i, b in enumerate(bands) if b["months"] == 0 or months <= b["months"]), len(bands) - 1)
        fee = Money.parse(table.data["usages"][usage]["fees"][index], table.currency)
        factor = Fraction(Decimal(table.data["sizes"][size]["factor"]))
        per_image = convert(fee * (factor * level), currency)
        label = (f"Licence fee per image: {table.usages()[usage]}, {bands[index]['label']}, "
                 f"{table.sizes()[size].split(' (')[0]}")
        basis = f"{table.data['name']}: €{Money.parse(table.data['usages'][usage]['fees'][index], 'EUR').amount_text()}" \
            + (f" x size {float(factor):.2f}" if factor != 1 else "") + \
            (f" x price level {country.name} {float(level):.2f}" if level != 1 else "") + \
            (f", at {float(country.per_eur()):g} {currency} per EUR" if currency != "EUR" else "")
    lines = [Line(label if images == 1 else f"{label} x {images} images", per_image * images, basis)]
    percent = country.section("surcharges")["missing_credit_percent"]
    if credit_missing and percent:
        lines.append(Line(f"Surcharge for the missing photo credit: +{percent}%",
                          lines[0].amount * Fraction(percent, 100), country.section("surcharges")["source"]))
    total = Money.sum([line.amount for line in lines], currency)
    floor = total * Fraction(floor_percent, 100)
    return ClaimAmount(country.code, usage, months, lines, total, floor, estimate)


# --- where people decide: the hit, the draft case, the case page ----------------------------

FIRST_USAGE = "web-commercial"   # until the site's use is checked, a hit is priced as commercial web use
FIRST_MONTHS = 12                 # and as used for a year at least: a copy is online long before it is found


def _months_between(start: date, end: date) -> int:
    return max(1, (end.year - start.year) * 12 + end.month - start.month + (1 if end.day > start.day else 0))


def first_estimate(country_code: str, *, found_on: date, today: date, images: int = 1,
                   address: bool | None = None) -> tuple[ClaimAmount | None, Assessment]:
    """What a hit (or a new draft case) is likely worth before anyone checked the site: priced
    as a commercial web use for a year, or since it was found if longer; commercial use and
    address not yet known."""
    country = jurisdiction(country_code)
    amount = None
    if country is not None:
        amount = claim_amount(country.code, usage=FIRST_USAGE,
                              months=max(FIRST_MONTHS, _months_between(found_on, today)),
                              images=images)
    claimed = amount.total if amount else Money.zero("EUR")
    return amount, assess(country_code, amount=claimed, commercial=None, address=address, infringed_on=found_on,
                          today=today, works=images)


def assess_case(case, today: date) -> Assessment:
    """A case as it stands: its claim, its party's address, its earliest use found."""
    found = [item.found_at.date() for item in case.items if item.found_at] or [case.created_at.date()]
    return assess(case.country, amount=case.claimed, commercial=None, address=case.party.has_postal_address,
                  infringed_on=min(found), today=today, works=len({item.work_id for item in case.items}) or 1)
