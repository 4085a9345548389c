"""docs/jurisdictions.md, generated from the country files (`caseapp feasibility docs`);
a test keeps the page and the data in step."""
from __future__ import annotations

from caseapp.core.money import Money
from caseapp.feasibility.rules import Jurisdiction, load

LEVELS = {"full": "own lawyers, up to court", "partner_lawyer": "letters; court through a partner lawyer",
          "out_of_court_only": "letters only", "none": "not enforced"}
STARTS = {"end_of_year_of_knowledge": "from the end of the year of knowledge", "knowledge": "from knowledge",
          "infringement": "from the infringement"}


ESTIMATE = "\\*"


def _mark(country: Jurisdiction, section: str) -> str:
    return ESTIMATE if country.section(section).get("estimate") else ""


def _routes(country: Jurisdiction) -> str:
    if not country.routes:
        return "—"
    parts = []
    for route in country.routes:
        limit = f" (up to {route.max_claim.format()})" if route.max_claim else ""
        parts.append(route.name + limit + (ESTIMATE if route.estimate else ""))
    return "; ".join(parts)


def render_markdown() -> str:
    countries, tables = load()
    lines = [
        "# Jurisdictions: where and how caseapp enforces",
        "",
        "Generated from `jurisdictions/*.toml` by `caseapp feasibility docs > docs/jurisdictions.md`;",
        "a test keeps this page and the data in step. Every figure in the files names its source;",
        "a figure marked \\* is an estimate (no source could be given), to be replaced when one is found.",
        "",
        "How a claim is judged (`caseapp feasibility assess`, shown on the hit, the case and the queue's order):",
        "it is **not feasible** when the country is not enforced, the site owner has no postal address, the",
        "recipient is private and the client does not pursue private users (a policy, not a rule of law), the",
        "claimable amount is under the country's minimum, nothing of the use is claimable any more, or (US)",
        "a US work is neither registered nor applied for. **A continuing use** (first day `--infringed-on`,",
        "last day seen `--last-seen`) gives a claim for each day with its own limitation: only the days before",
        "the period are barred, and the amount counts pro rata by the days still claimable (an estimate);",
        "where a country keeps the saved licence fee claimable after that (Germany: § 102 sentence 2 UrhG",
        "with § 852 BGB, 10 years) those days count as a residual claim, and where damages reach back only",
        "some years (Sweden: 5) the days before do not count. Otherwise the **route** is the first of the",
        "country's routes (in file order) that is open to the claim — the European Small Claims Procedure",
        "only for a cross-border case (`--client-country`, never Denmark), payment orders for a fixed,",
        "acknowledged debt only where the file says so, the US federal court only for a registered or a",
        "foreign work, the Copyright Claims Board with at least a pending application — and whose limit the",
        "amount fits, and the **expected value** is the recoverable amount (capped",
        "where the route caps it) × the probability of collecting − the out-of-court costs − the route's",
        "court fee and lawyer cost × the probability of going to court. Amounts in other currencies are",
        "converted at the files' exchange rates. How the amount itself is made: the next section. Scotland",
        "and Northern Ireland have their own rules in `GB.toml` (`--subdivision SCT` or `NIR`).",
        "",
        "| country | enforcement | routes | limitation | minimum claim | first letter | credit surcharge | letter in | currency |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for code, c in sorted(countries.items()):
        lim = c.section("limitation")
        limitation = f"{lim['years']} y {STARTS[lim['starts']]}" + (
            f", at most {lim['absolute_years']} y" if lim.get("absolute_years") else "")
        minimum = Money.parse(c.section("minimum_claim")["amount"], c.section("minimum_claim")["currency"])
        deadlines = c.section("deadlines")
        lines.append(
            f"| {code} {c.name} | {LEVELS[c.level]}{_mark(c, 'enforcement')} | {_routes(c)} | "
            f"{limitation}{_mark(c, 'limitation')} | {minimum.format()}{_mark(c, 'minimum_claim')} | "
            f"{deadlines['letter_days']} days (never under {deadlines['legal_minimum_days']}){_mark(c, 'deadlines')} | "
            f"+{c.section('surcharges')['missing_credit_percent']}%{_mark(c, 'surcharges')} | "
            f"{c.letter_language} | {c.currency} |")
    lines += [
        "",
        "## How an amount is made",
        "",
        "`caseapp feasibility amount` (and every hit, draft case and offer) prices a use line by line; each",
        "line names its source, and a figure without a decision behind it is marked an estimate. It is held",
        "against published decisions by `benchmarks/calibration.py` (docs/calibration.md: the median ratio",
        "of caseapp's amount to the court's award per country).",
        "",
        "1. **The licence fee per image, by the evidence of the photographer's own licensing** (`--evidence`;",
        "   on a hit or case: the work's licence sales, else the client's *evidence of licensing* on the",
        "   client's page):",
        "   - *sales* — the client's documented sales of the work (the median of its licence sales; `--fee`):",
        "     that price decides;",
        "   - *professional* — proof of professional work, no sales of this work: what the country's courts",
        "     award professionals (`professional_year`, a year of commercial web use), else the fee table",
        f"     ({', '.join(f'`fees/{t}.toml`' for t in tables)}: usage x duration x size) at the country's price level;",
        "   - *none* (the default) — what the courts award without such proof (`unproven_year`); a country",
        "     without its own figure takes the German courts' ratio to the table (an estimate);",
        "   - an amateur's photo (`--amateur`): the courts' amateur rate; a private person's use (`--private`):",
        "     the rate courts give a private user.",
        "   Other uses and durations follow the fee table's proportions (`--days`: a week is priced as a week;",
        "   a hit from its first to its last sighting, not until today), never below the country's",
        "   `short_use_min_percent` of a year where courts price short uses near a year's.",
        "2. **Many images in one use**: each after the first at the country's `extra_image_percent` (100",
        "   unless decisions show less).",
        "3. **US statutory damages** for a timely registered work (`--registered yes`): the larger of $750 and",
        "   three times the licence fee, at most $15,000 a work (17 U.S.C. §§ 504(c), 412, 1504(e)).",
        "4. **Surcharges**: the missing credit by the evidence tier (professionals more, others less, private",
        "   users least), Austria's doubling for a culpable infringement (§ 87(3) UrhG) instead of a credit",
        "   surcharge, UK additional damages for flagrancy (`--flagrant`: watermark or notices removed).",
        "5. **Notes, not prices**: where courts refuse protection to ordinary photographs (France), the hit and",
        "   the case say so.",
        "",
        "| country | without proof (a year, web) | professional (a year, web) | private user | credit surcharge: proven / not / private | other |",
        "|---|---|---|---|---|---|",
    ]
    for code, c in sorted(countries.items()):
        fees, sur = c.section("fees"), c.section("surcharges")
        if not (fees.get("unproven_year") or fees.get("professional_year") or sur.get("fault_percent")
                or sur.get("flagrant_percent") or c.section("statutory") or c.section("originality")):
            continue
        proven = sur.get("missing_credit_percent", 0)
        unproven = sur.get("missing_credit_percent_unproven", proven)
        private = sur.get("missing_credit_percent_private", unproven)
        other = "; ".join(x for x in (
            f"+{sur['fault_percent']}% for fault" if sur.get("fault_percent") else "",
            f"+{sur['flagrant_percent']}% if flagrant" if sur.get("flagrant_percent") else "",
            "statutory damages if registered" if c.section("statutory") else "",
            f"short uses at least {fees['short_use_min_percent']}% of a year" if fees.get("short_use_min_percent")
            else "",
            "originality note" if c.section("originality") else "") if x)
        lines.append(f"| {code} {c.name} | {('€' + fees['unproven_year']) if fees.get('unproven_year') else 'estimate'} | "
                     f"{('€' + fees['professional_year']) if fees.get('professional_year') else 'fee table'} | "
                     f"{('€' + fees['private_base']) if fees.get('private_base') else 'estimate'} | "
                     f"+{proven}% / +{unproven}% / +{private}% | {other or '—'} |")
    lines += [
        "",
        "Every other country: the fee table at its price level for professionals, the German courts' ratio",
        "for uses without proof (estimates), its credit surcharge in the table above.",
        "",
    ]
    lines += ["## Sources of the limitation periods", ""]
    for code, c in sorted(countries.items()):
        lines.append(f"- **{code}**: {c.section('limitation')['source']}{_mark(c, 'limitation')}")
        for sub, region in sorted(c.regions().items()):
            if "limitation" in region:
                lines.append(f"  - {region['name']} ({sub}): {region['limitation']['source']}")
    lines += ["", "## What changed when the rules were last checked", ""]
    for code, c in sorted(countries.items()):
        review = c.section("review")
        if review:
            lines.append(f"- **{code} {c.name}** (checked {review['checked_on']}):")
            lines += [f"  - {change}" for change in review["changes"]]
    lines += [
        "- **every EU country**: the European Small Claims Procedure is offered only for a cross-border case",
        "  (Reg. 861/2007 art. 3); routes that a lawyer or a registered debt collector must file say so",
        "  (`filed_by`) and cost it.",
    ]
    lines += [
        "",
        "## Adding or changing a country",
        "",
        "1. Copy a similar country's file to `jurisdictions/<CC>.toml` (ISO 3166-1 code, upper case; the file",
        "   name must match `code`).",
        "2. Fill every section: names and languages, currency, `[holidays]` (the `holidays` package's country",
        "   and, where states differ, the default subdivision), `[enforcement]` (level: full, partner_lawyer,",
        "   out_of_court_only or none; the probabilities), `[[routes]]` in the order to prefer them (kind,",
        "   limit, court fee, lawyer cost), `[costs]`, `[minimum_claim]`, `[limitation]`, `[deadlines]`,",
        "   `[surcharges]`, `[split]` (the client's share once in court) and `[fees]` (fee table, price level,",
        "   units per euro).",
        "3. Give each section its `source` (statute and article, court decision, official fee table) and set",
        "   `estimate = true` where you could not.",
        "4. Run `caseapp feasibility check` (the schema is `jurisdictions/schema.json`; the app refuses to",
        "   start with an invalid file), try `caseapp feasibility assess --country <CC> ...`, then regenerate",
        "   this page: `caseapp feasibility docs > docs/jurisdictions.md`.",
        "",
    ]
    return "\n".join(lines)
