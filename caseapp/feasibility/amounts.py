"""What a claim is worth, line by line, as courts of the recipient's country award it.

How an amount is made (docs/jurisdictions.md says it for the handler):

1. The licence fee per image, by the evidence of the photographer's own licensing:
   - `sales`: the client's documented sales of the work (the median of its licence sales, or a
     documented fee given): that price decides;
   - `professional`: proof of professional work, no sales of this work: the fee table
     (`jurisdictions/fees/*.toml`: usage x duration x size) at the country's price level;
   - `none` (the default: nothing proven): what the country's courts award without such proof,
     `[fees] unproven_year` for a year of commercial web use, other uses and durations in the fee
     table's proportions (Germany: AG München 142 C 1511/21, €100; OLG Hamburg 5 U 8/08, €180);
   - an amateur's photo: `[fees] amateur_base` (DE: BGH I ZR 187/17, €100);
   - a private person's use: `[fees] private_base` (DE: OLG Braunschweig 2 U 7/11, €20).
2. Many images in one use: each after the first at `[fees] extra_image_percent` of the first.
3. Statutory damages (US, a timely registered work): the larger of the minimum and a multiple
   of the licence fee, at most the cap per work, instead of the fee (`[statutory]`).
4. Surcharges, each as data with its range and source (`[surcharges]`): the missing credit (by
   the evidence tier: courts give professionals more than others, private users least), a
   culpable infringement (AT: § 87(3) UrhG doubles the fee, instead of a credit surcharge),
   flagrancy (GB: additional damages, s.97(2) CDPA).
5. Notes that are not priced: where courts refuse protection to ordinary photographs
   (`[originality]`: France).

A use is priced from its first to its last day (`days`; `months` rounds up to whole months).
Every line keeps its source; a figure without a decision behind it is marked an estimate."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from sqlalchemy.orm import Session

from caseapp.core.errors import InvalidInput
from caseapp.core.money import Money
from caseapp.feasibility.rules import Jurisdiction, fee_table, jurisdiction

DEFAULT_FLOOR_PERCENT = 60
EVIDENCE = ("none", "professional", "sales")
EVIDENCE_WORDS = {"none": "no proof of the photographer's own licensing",
                  "professional": "proof of professional work, no sales of this work",
                  "sales": "the client's documented sales of this work"}
# The fee table's reference for `unproven_year`: a year of commercial web use, medium size.
REFERENCE_USAGE, REFERENCE_MONTHS = "web-commercial", 12
DAYS_PER_MONTH = Fraction(365, 12)
# Without a decision of the country's courts on unproven fees: the German courts' ratio of the
# unproven fee to the table's (an estimate, said on the line).
FALLBACK_COUNTRY = "DE"


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
    days: int = 0
    evidence: str = "none"
    notes: list[str] = field(default_factory=list)

    def lines_as_data(self) -> list[dict]:
        """The lines as a case keeps them."""
        return [{"label": l.label, "amount": l.amount.amount_text(), "basis": l.basis} for l in self.lines]

    def as_dict(self) -> dict:
        return {"country": self.country, "usage": self.usage, "months": self.months, "days": self.days,
                "evidence": self.evidence, "currency": self.total.currency,
                "lines": self.lines_as_data(), "notes": self.notes,
                "total": self.total.amount_text(), "floor": self.floor.amount_text(), "estimate": self.estimate}


def sales_history_fee(session: Session | None, work_id: int | None) -> Money | None:
    """The client's documented price for the work (the median of its licence sales), which
    decides the fee. Read through the clients service."""
    if session is None or work_id is None:
        return None
    from caseapp.clients import services as clients

    return clients.documented_fee(session, work_id)


def convert(amount: Money, currency: str) -> Money:
    from caseapp.feasibility.services import convert as through_euro

    return through_euro(amount, currency)


def _duration(months: int | None, days: int | None) -> tuple[Fraction, int, int]:
    """(length in months, whole months, days) of a use given in months or in days."""
    if (months is None) == (days is None):
        raise InvalidInput("Give how long the image was used: --months or --days (one of them).")
    if days is not None:
        if days < 1:
            raise InvalidInput("The use lasted at least a day; give --days 1 or more.")
        length = Fraction(days) / DAYS_PER_MONTH
        return length, max(1, -(-days * 12 // 365)), days
    if months < 1:
        raise InvalidInput("The use lasted at least a month; give --months 1 or more.")
    return Fraction(months), months, round(months * DAYS_PER_MONTH)


def _band(table, length: Fraction) -> int:
    bands = table.data["bands"]
    return next((i for i, b in enumerate(bands)
                 if b["months"] == 0 or length <= Fraction(Decimal(str(b["months"])))), len(bands) - 1)


def _table_fee(table, usage: str, band: int) -> Money:
    return Money.parse(table.data["usages"][usage]["fees"][band], table.currency)


def _shape(fees: dict, table, usage: str, band: int) -> Fraction:
    """A use's fee in proportion to a year of commercial web use: the fee table's proportions,
    and never below the country's `short_use_min_percent` of the year for its usage (courts that
    price a week's use close to a year's: the Netherlands)."""
    reference = _table_fee(table, REFERENCE_USAGE, _band(table, Fraction(REFERENCE_MONTHS)))
    shape = Fraction(_table_fee(table, usage, band).minor, reference.minor)
    floor = fees.get("short_use_min_percent")
    if floor:
        year_of_usage = Fraction(_table_fee(table, usage, _band(table, Fraction(REFERENCE_MONTHS))).minor,
                                 reference.minor)
        shape = max(shape, year_of_usage * Fraction(floor, 100))
    return shape


def _unproven_year(country: Jurisdiction) -> tuple[Money, str, bool]:
    """The courts' fee for a year of commercial web use without proof of licensing: (EUR, source,
    estimate). A country without its own figure: the German courts' ratio to the table."""
    fees = country.section("fees")
    if fees.get("unproven_year"):
        return Money.parse(fees["unproven_year"], "EUR"), fees.get("unproven_source", ""), \
            bool(fees.get("estimate", True))
    home = jurisdiction(FALLBACK_COUNTRY).section("fees")
    ratio = Fraction(Decimal(home["unproven_year"])) / Fraction(Decimal(
        fee_table(home["table"]).data["usages"][REFERENCE_USAGE]["fees"][_band(fee_table(home["table"]),
                                                                          Fraction(REFERENCE_MONTHS))]))
    table = fee_table(fees["table"])
    reference = _table_fee(table, REFERENCE_USAGE, _band(table, Fraction(REFERENCE_MONTHS)))
    level = Fraction(Decimal(fees["price_level"]))
    return (reference * (ratio * level),
            f"caseapp's estimate: no decision of {country.name}'s courts on a fee without proof on file; the "
            f"German courts' ratio to the table ({float(ratio):.2f}) at the price level {float(level):.2f}", True)


def claim_amount(country_code: str, *, usage: str, months: int | None = None, days: int | None = None,
                 credit_missing: bool = False, amateur: bool = False, private: bool = False,
                 evidence: str = "none", documented_fee: Money | None = None, registered: bool = False,
                 flagrant: bool = False, fault: bool | None = None, size: str = "medium", images: int = 1,
                 floor_percent: int = DEFAULT_FLOOR_PERCENT, session: Session | None = None,
                 work_id: int | None = None) -> ClaimAmount:
    """The amount to claim, line by line (see the module's docstring for how it is made): the
    licence fee per image by the evidence, the images, statutory damages, the surcharges, the
    total and the floor (the client's lowest acceptable share); notes that are not priced."""
    country = jurisdiction(country_code)
    if country is None:
        raise InvalidInput(f"No rules for country {country_code}: add jurisdictions/{country_code.upper()}.toml.")
    if evidence not in EVIDENCE:
        raise InvalidInput(f"Evidence: {str(evidence)[:20]!r} is not one of {', '.join(EVIDENCE)}.")
    length, whole_months, use_days = _duration(months, days)
    if images < 1:
        raise InvalidInput("A claim is for one image or more.")
    fees, surcharges = country.section("fees"), country.section("surcharges")
    table = fee_table(fees["table"])
    if usage not in table.usages():
        raise InvalidInput(f"Unknown usage '{usage}'; one of: {', '.join(table.usages())}.")
    if size not in table.sizes():
        raise InvalidInput(f"Unknown size '{size}'; one of: {', '.join(table.sizes())}.")
    currency = country.currency
    level = Fraction(Decimal(fees["price_level"]))
    band = _band(table, length)
    band_label = table.data["bands"][band]["label"]
    factor = Fraction(Decimal(table.data["sizes"][size]["factor"]))
    if documented_fee is not None and documented_fee.minor <= 0:
        raise InvalidInput("Fee: a documented licence fee is more than 0; leave it out if there is none.")
    history = documented_fee if documented_fee is not None else sales_history_fee(session, work_id)
    if evidence == "sales" and history is None:
        raise InvalidInput("Evidence sales: give the documented fee (--fee), or record the work's licence sales.")
    if history is not None:
        evidence = "sales"
    estimate = bool(fees.get("estimate")) or bool(table.data.get("estimate"))
    tier = "private" if private else ("amateur" if amateur and evidence != "sales" else evidence)
    use_words = f"{table.usages()[usage]}, {band_label}, {table.sizes()[size].split(' (')[0]}"

    def from_year(year: Money, source: str, proportions: str) -> tuple[Money, str]:
        """A court's rate for a year of commercial web use, for this use, duration and size."""
        shape = _shape(fees, table, usage, band) * factor
        return convert(year * shape, currency), f"{source}; €{year.amount_text()} a year of commercial web use" + \
            (f" x {float(shape):.2f} for this use and duration{proportions}" if shape != 1 else "")

    if tier == "sales":
        per_image = convert(history, currency)
        label, basis = "Licence fee per image, from the client's documented sales of this work", \
            "the client's invoices for this work (the median of its licence sales)"
        estimate = False
    elif tier == "private":
        if fees.get("private_base"):
            per_image = convert(Money.parse(fees["private_base"], "EUR"), currency)
            basis = fees.get("private_source", "")
        else:
            unproven, _, _ = _unproven_year(country)
            per_image = convert(unproven * Fraction(1, 5), currency)
            basis = (f"caseapp's estimate: no decision of {country.name}'s courts on a private person's use on "
                     "file; a fifth of the fee courts give without proof of licensing")
            estimate = True
        label = "Licence fee per image for a private person's use"
    elif tier == "amateur":
        base = Money.parse(fees.get("amateur_base", "100.00"), "EUR")
        per_image = convert(base * level, currency)
        label = "Licence fee per image at a lower rate for an amateur's photo"
        if fees.get("amateur_source"):
            basis = fees["amateur_source"]
        else:   # no decision of that country's courts on file: an estimate, not a citation
            basis = (f"caseapp's estimate: no decision of {country.name}'s courts on an amateur's fee on file; "
                     f"€{base.amount_text()} scaled by the price level {float(level):.2f}")
            estimate = True
    elif tier == "professional" and fees.get("professional_year"):
        per_image, basis = from_year(Money.parse(fees["professional_year"], "EUR"), fees.get("professional_source", ""),
                                     "")
        label = f"Licence fee per image for a professional's photo: {use_words}"
    elif tier == "professional":
        fee = _table_fee(table, usage, band)
        per_image = convert(fee * (factor * level), currency)
        label = f"Licence fee per image: {use_words}"
        basis = f"{table.data['name']}: €{fee.amount_text()}" \
            + (f" x size {float(factor):.2f}" if factor != 1 else "") + \
            (f" x price level {country.name} {float(level):.2f}" if level != 1 else "") + \
            (f", at {float(country.per_eur()):g} {currency} per EUR" if currency != "EUR" else "")
    else:   # none: what courts award without proof of the photographer's own licensing
        year, source, unproven_estimate = _unproven_year(country)
        per_image, basis = from_year(year, source, " (the fee table's proportions)")
        label = f"Licence fee per image without proof of the photographer's licensing: {use_words}"
        estimate = estimate or unproven_estimate

    extra = fees.get("extra_image_percent", 100)
    if images == 1:
        fee_total = per_image
        count = ""
    else:
        fee_total = per_image + per_image * Fraction(extra * (images - 1), 100)
        count = f" x {images} images" + (f" (each after the first at {extra}%)" if extra != 100 else "")
        if extra != 100:
            basis += f"; more images in one use: {fees.get('extra_image_source', 'caseapp estimate')}"

    statutory = country.section("statutory")
    if registered and statutory:
        minimum = Money.parse(statutory["minimum"], currency)
        cap = Money.parse(statutory["cap_per_work"], currency)
        multiple = statutory["multiple"]
        damages = min(cap, max(minimum, per_image * multiple))
        fee_total = damages if images == 1 else damages + damages * Fraction(extra * (images - 1), 100)
        label = (f"Statutory damages for a timely registered work: the larger of {minimum.format()} and "
                 f"{multiple} x the licence fee of {per_image.format()}, at most {cap.format()} a work")
        basis = f"{statutory['source']} (instead of the licence fee: {basis})"
        estimate = estimate or bool(statutory.get("estimate"))
    lines = [Line(label + count, fee_total, basis)]

    percent = _credit_percent(surcharges, tier)
    if credit_missing and percent:
        lines.append(Line(f"Surcharge for the missing photo credit: +{percent}%",
                          fee_total * Fraction(percent, 100), _credit_basis(surcharges, tier)))
    fault_percent = surcharges.get("fault_percent", 0)
    if fault_percent and (fault if fault is not None else not private):
        lines.append(Line(f"Surcharge for a culpable infringement: +{fault_percent}%",
                          fee_total * Fraction(fault_percent, 100), surcharges.get("fault_source", "")))
    flagrant_percent = surcharges.get("flagrant_percent", 0)
    if flagrant and flagrant_percent:
        lines.append(Line(f"Additional damages for a flagrant infringement (notices or watermark removed): "
                          f"+{flagrant_percent}%", fee_total * Fraction(flagrant_percent, 100),
                          surcharges.get("flagrant_source", "")))
    notes = []
    if country.section("originality"):
        notes.append(f"Originality: {country.section('originality')['note']} "
                     f"({country.section('originality').get('source', '')})")
    total = Money.sum([line.amount for line in lines], currency)
    floor = total * Fraction(floor_percent, 100)
    return ClaimAmount(country.code, usage, whole_months, lines, total, floor, estimate, use_days, evidence, notes)


def _credit_percent(surcharges: dict, tier: str) -> int:
    """The missing-credit surcharge for the evidence tier: proven licensing or professional work
    (`missing_credit_percent`), nothing proven and amateurs (`..._unproven`), private users
    (`..._private`)."""
    proven = surcharges.get("missing_credit_percent", 0)
    unproven = surcharges.get("missing_credit_percent_unproven", proven)
    if tier in ("sales", "professional"):
        return proven
    if tier == "private":
        return surcharges.get("missing_credit_percent_private", unproven)
    return unproven


def _credit_basis(surcharges: dict, tier: str) -> str:
    where = {"sales": "the rate with proven sales", "professional": "the rate for a professional's photo",
             "private": "the rate for a private person's use"}.get(tier, "the rate without proof of licensing")
    text = f"{surcharges.get('source', '')}; {where}"
    if surcharges.get("missing_credit_range"):
        text += f"; courts give {surcharges['missing_credit_range']}"
    return text
