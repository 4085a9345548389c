"""Which court routes are open to a case, and why the others are closed: pure rules over the
case's facts (facts.Facts) and the country's routes (jurisdictions/<CC>.toml [[routes]], the
party's region's own routes where it has them). No database, no Flask.

Each route is checked for its own conditions (cross-border, the value limit, the region, the
registration of the works, the court) and for the fields its form requires; every unmet one is a
reason in words saying where to fix it, and a closed route is never rendered (services.generate)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from flask_babel import gettext

from caseapp.core.money import Money
from caseapp.filings.facts import Court, Facts

ESCP, MAHN, CCB, IPEC, COMPLAINT = "european-small-claims", "mahnverfahren", "ccb", "ipec-small-claims", "complaint"
# Form A is filled in the language of the court's member state (art. 6(1) Reg. 861/2007); caseapp
# has its headings in these.
FORM_A_LANGUAGES = ("de", "fr", "es", "it", "nl", "en")
COMPLAINT_LANGUAGES = ("de", "en")
DENMARK = "DK"

# Courts the law fixes (the others come from the court domain: sources.court_of).
IPEC_COURT = Court("Intellectual Property Enterprise Court",
                   ("The Rolls Building", "7 Rolls Buildings", "Fetter Lane", "London EC4A 1NL"),
                   source="CPR 63.1(3), 63.13; PD 63 (the IPEC sits at the Rolls Building)")
CCB_COURT = Court("Copyright Claims Board", ("U.S. Copyright Office", "101 Independence Ave SE",
                                              "Washington, DC 20559"),
                  source="17 U.S.C. § 1502; 37 C.F.R. part 220 (claims are filed through eCCB)")


@dataclass
class RouteCheck:
    route: str                      # the route's id in the country file
    name: str
    open: bool = True
    reasons: list[str] = field(default_factory=list)   # why it is closed, in words (notes too, if open)
    missing: list[str] = field(default_factory=list)   # the fields a form needs and the case lacks
    limit: Money | None = None
    kind: str = ""
    renderer: str | None = None     # which renderer makes it (ESCP, MAHN, CCB, IPEC, COMPLAINT)
    language: str | None = None
    court: Court | None = None
    notes: list[str] = field(default_factory=list)     # said on an open route too (assumptions to check)
    extra: dict = field(default_factory=dict)          # what the renderer needs from the check (caps, works)

    def close(self, reason: str, missing: str | None = None) -> None:
        self.open = False
        self.reasons.append(reason)
        if missing:
            self.missing.append(missing)

    def as_dict(self) -> dict:
        return {"route": self.route, "name": self.name, "open": self.open, "reasons": list(self.reasons),
                "missing": list(self.missing), "limit": str(self.limit) if self.limit else None,
                "language": self.language, "court": self.court.name if self.court else None,
                "notes": list(self.notes)}

    def refusal(self) -> str:
        """The one line that says why it is closed."""
        return gettext("%(route)s is closed for this case: %(why)s", route=self.name, why=" ".join(self.reasons))


def _m(value: Money) -> str:
    from caseapp.core.formatting import money

    return money(value)


def check_case(facts: Facts) -> list[RouteCheck]:
    """Every route of the party's country (and region), open or closed with its reasons."""
    from caseapp.feasibility.rules import jurisdiction

    country = jurisdiction(facts.country) if facts.country else None
    if country is None:
        return []
    regional = country.for_region(facts.party.subdivision)
    checks = [check_route(facts, route, regional) for route in regional.routes]
    if regional is not country:   # the country's routes the region does not have: closed, saying where to go
        here = {route.id for route in regional.routes}
        region_name = country.regions()[(facts.party.subdivision or "").upper()]["name"]
        instead = ", ".join(route.name for route in regional.routes)
        for route in country.routes:
            if route.id not in here:
                check = RouteCheck(route.id, route.name, kind=route.kind, limit=route.max_claim)
                check.close(gettext("The party is in %(region)s: %(route)s is not open there (it serves England "
                                    "and Wales: CPR 63.1, 63.27). File in %(region)s instead: %(instead)s.",
                                    region=region_name, route=route.name, instead=instead)
                            if route.id == IPEC else
                            gettext("The party is in %(region)s, where %(route)s is not open; file there: "
                                    "%(instead)s.", region=region_name, route=route.name, instead=instead))
                checks.append(check)
    if country.code == DENMARK:
        check = RouteCheck(ESCP, "European Small Claims Procedure (Reg. 861/2007)", kind="small_claims",
                           limit=Money.parse("5000.00", "EUR"), renderer=ESCP)
        check.close(gettext("Denmark does not take part in the European Small Claims Procedure (art. 2(3) "
                            "Reg. 861/2007): a claim against a party in Denmark goes to a Danish court."))
        checks.append(check)
    return checks


def check_route(facts: Facts, route, rules) -> RouteCheck:
    check = RouteCheck(route.id, route.name, kind=route.kind, limit=route.max_claim)
    if route.id == ESCP or route.cross_border_only:
        check.renderer = ESCP
        _escp(facts, route, rules, check)
    elif route.id == MAHN:
        check.renderer = MAHN
        _mahnverfahren(facts, route, check)
    elif route.id == CCB:
        check.renderer = CCB
        _ccb(facts, route, check)
    elif route.id == IPEC:
        check.renderer = IPEC
        _ipec(facts, route, check)
    elif route.kind == "court":
        check.renderer = COMPLAINT
        _complaint(facts, route, rules, check)
    else:
        check.close(gettext("caseapp makes no filing for this route: prepare it by hand (%(source)s).",
                            source=route.source))
    return check


# --- what every form needs -------------------------------------------------------------------

def _addresses(facts: Facts, check: RouteCheck) -> None:
    for who, person, page, postal in (("party", facts.party, gettext("on the party page"), "postal_code"),
                                      ("client", facts.client, gettext("on the client page"), "postcode")):
        label = gettext("The party") if who == "party" else gettext("The client")
        if not (person.name or "").strip():
            check.close(gettext("%(who)s has no name: add it %(where)s.", who=label, where=page), f"{who}.name")
        for attribute, code, words in (("street", "street", gettext("no street")),
                                       ("postal_code", postal, gettext("no postal code")),
                                       ("city", "city", gettext("no city"))):
            if not (getattr(person, attribute) or "").strip():
                check.close(gettext("%(who)s has %(what)s: add it %(where)s.", who=label, what=words, where=page),
                            f"{who}.{code}")


def _claim(facts: Facts, route, check: RouteCheck) -> bool:
    """The claim is there, in the route's currency, and within its limit."""
    if not facts.claimed:
        check.close(gettext("The case claims nothing: price the claim on the case page."), "case.claim")
        return False
    if facts.currency != route.currency:
        check.close(gettext("The claim is in %(currency)s; this route takes claims in %(route_currency)s. caseapp "
                            "does not convert a claim for a court: state the claim in %(route_currency)s on the "
                            "case page, or choose another route.", currency=facts.currency,
                            route_currency=route.currency), "case.currency")
        return False
    if route.max_claim is not None and facts.damages > route.max_claim:
        check.close(gettext("The claim of %(claim)s (without interest and costs) is above the limit of %(limit)s "
                            "of %(route)s.", claim=_m(facts.damages), limit=_m(route.max_claim), route=route.name))
        return False
    return True


def _evidence(facts: Facts, check: RouteCheck) -> None:
    if not facts.captures:
        check.close(gettext("No evidence capture on the case: capture the page in the case's Evidence section "
                            "(the annex shows it)."), "evidence.capture")


def _court(facts: Facts, check: RouteCheck) -> None:
    if facts.court is None:
        check.close(gettext("No court recorded: record the court on the case's court section."), "court")
    else:
        check.court = facts.court


def _language(wanted: str, have: tuple[str, ...], check: RouteCheck, form: str) -> None:
    if wanted in have:
        check.language = wanted
    else:
        check.close(gettext("%(form)s is needed in the court's language (%(language)s); caseapp has it in "
                            "%(have)s only: fill in the official form by hand.", form=form, language=wanted,
                            have=", ".join(have)), "language")


# --- the routes --------------------------------------------------------------------------------

def member_state(code: str | None) -> bool:
    """A member state in the sense of Reg. 861/2007: an EU member state other than Denmark (art. 2(3))."""
    from caseapp.feasibility.rules import jurisdiction

    if not code or code.upper() == DENMARK:
        return False
    rules = jurisdiction(code)
    return bool(rules and rules.eu)


def _escp(facts: Facts, route, rules, check: RouteCheck) -> None:
    """Reg. 861/2007 (as amended by Reg. 2015/2421): art. 3(1) cross-border: at least one party
    domiciled or habitually resident in a member state other than the court's (here the court sits
    where the respondent is domiciled, art. 4(1) Reg. 1215/2012); art. 2(3): Denmark is not a member
    state for it, so a client in Denmark makes no case cross-border (and one in a third country
    neither); art. 2(1): up to €5,000 without interest, expenses and disbursements."""
    court_state, home = facts.country.upper(), (facts.client.country or "").upper()
    if home == DENMARK:
        check.close(gettext("The client is in Denmark, which is not a member state for the European Small Claims "
                            "Procedure (art. 2(3) Reg. 861/2007): the case is not cross-border in its sense (art. "
                            "3(1))."))
    elif home == court_state:
        check.close(gettext("Not cross-border: the client and the party are both domiciled in %(country)s (art. "
                            "3(1) Reg. 861/2007 needs a party domiciled in another member state).",
                            country=court_state))
    elif not member_state(home):
        check.close(gettext("Not cross-border in the sense of art. 3(1) Reg. 861/2007: the client is domiciled in "
                            "%(country)s, not in a member state of the EU.", country=home or "?"))
    _claim(facts, route, check)
    _addresses(facts, check)
    _evidence(facts, check)
    _court(facts, check)
    _language(rules.letter_language, FORM_A_LANGUAGES, check, gettext("Form A"))


LANDER = {"BW": "Baden-Württemberg", "BY": "Bayern", "BE": "Berlin", "BB": "Brandenburg", "HB": "Bremen",
          "HH": "Hamburg", "HE": "Hessen", "MV": "Mecklenburg-Vorpommern", "NI": "Niedersachsen",
          "NW-HAMM": "Nordrhein-Westfalen (OLG-Bezirk Hamm)", "NW-RHEIN": "Nordrhein-Westfalen (OLG-Bezirke Düsseldorf, Köln)",
          "RP": "Rheinland-Pfalz", "SL": "Saarland", "SN": "Sachsen", "ST": "Sachsen-Anhalt", "SH": "Schleswig-Holstein",
          "TH": "Thüringen"}


def mahngericht(client_country: str | None, postal_code: str | None) -> tuple[dict | None, str]:
    """(court, why) by § 689(2) ZPO: the central Mahngericht of the Land of the claimant's general
    venue; a claimant without one in Germany: the Amtsgericht Wedding. (None, why) when the postal
    code does not say the Land."""
    table = mahngericht_table()
    if (client_country or "").upper() != "DE":
        return table["courts"][table["abroad"]], gettext("The client has no general venue in Germany: Amtsgericht "
                                                          "Wedding (§ 689(2) sentence 2 ZPO).")
    code = (postal_code or "").strip()
    land = table["postal_regions"].get(code[:2]) if len(code) == 5 and code.isdigit() else None
    if land is None:
        return None, gettext("The client's postal code %(code)s is not a German postal code: the Mahngericht "
                             "cannot be told from it (§ 689(2) ZPO).", code=code or "—")
    court = next(c for c in table["courts"].values() if land in c["lander"])
    return court, gettext("The client's general venue is in %(land)s (postal code %(code)s, an estimate near a "
                          "Land's border): %(court)s (§ 689(2) sentence 1, (3) ZPO).", land=LANDER[land], code=code,
                          court=court["name"])


def mahngericht_table() -> dict:
    import tomllib
    from pathlib import Path

    global _TABLE
    if _TABLE is None:
        _TABLE = tomllib.loads((Path(__file__).parent / "data" / "mahngerichte.toml").read_text(encoding="utf-8"))
    return _TABLE


_TABLE = None


def _mahnverfahren(facts: Facts, route, check: RouteCheck) -> None:
    """§§ 688 ff. ZPO: a claim for a sum of money in euro (§ 688(1)); the application's contents
    (§ 690(1): parties, representatives, the court, the claim with its main and secondary claims
    itemised, the court for contested proceedings); the Mahngericht (§ 689(2))."""
    check.language = "de"
    _claim(facts, route, check)
    _addresses(facts, check)
    court, why = mahngericht(facts.client.country, facts.client.postal_code)
    if court is None and facts.client.postal_code:
        check.close(why + " " + gettext("Correct it on the client page."), "client.postcode")
    elif court is not None:
        check.court = Court(court["name"], tuple(court["address"]), source=why)
        check.notes.append(why)
        check.extra["land"] = None if (facts.client.country or "").upper() != "DE" else \
            mahngericht_table()["postal_regions"][facts.client.postal_code.strip()[:2]]


def timely(work, began: date | None) -> bool:
    """17 U.S.C. § 412: registered before the infringement began, or within three months after the
    first publication. A pending application is not (yet) a registration: not timely here."""
    if work.registered_on is None or not work.registration_number:
        return False
    if began is not None and work.registered_on <= began:
        return True
    if work.first_published_on is not None:
        return work.registered_on <= _three_months_after(work.first_published_on)
    return False


def _three_months_after(day: date) -> date:
    import calendar

    month = day.month + 3
    year, month = day.year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _ccb(facts: Facts, route, check: RouteCheck) -> None:
    """17 U.S.C. § 1505(a): a work needs a registration or a pending application; § 1504(e)(1)(A):
    statutory damages up to $15,000 a timely registered work (§ 412), $7,500 a work otherwise and
    $15,000 in all when none is timely; § 1504(e)(1)(D): $30,000 a claim in all. caseapp asks for
    the case's damages (no costs: the Board awards them only for bad faith, § 1506(y)), split over
    the eligible works in proportion to their caps, and refuses a claim above the total cap rather
    than cutting it silently. USD cases only: caseapp does not convert a claim for a tribunal."""
    check.language, check.court = "en", CCB_COURT
    _addresses(facts, check)
    if not _claim(facts, route, check):
        return
    began = facts.infringement_began
    eligible = [w for w in facts.works if w.registration_number or w.applied_on]
    skipped = [w.title for w in facts.works if w not in eligible]
    if not eligible:
        check.close(gettext("No work in the case has a US registration or a pending application (17 U.S.C. "
                            "§ 1505(a)): add the registration number and date, or the application date, on the "
                            "work's page."), "work.us_registration")
        return
    if skipped:
        check.notes.append(gettext("Left out of the claim (no registration or application): %(works)s.",
                                   works=", ".join(skipped)))
    per_timely, per_not = route.cap_per_work_timely, route.cap_per_work_not_timely
    caps = [per_timely if timely(w, began) else per_not for w in eligible]
    any_timely = any(timely(w, began) for w in eligible)
    total_cap = min(Money.sum(caps, "USD"), route.cap_total_timely if any_timely else route.cap_total_not_timely,
                    route.max_claim)
    check.limit = total_cap
    if facts.damages > total_cap:
        check.close(gettext("The damages of %(claim)s are above the cap of %(cap)s for these works (17 U.S.C. "
                            "§ 1504(e)(1): %(per_timely)s a timely registered work, %(per_not)s otherwise, "
                            "%(total_not)s in all when none is timely, %(total)s a claim). Lower the claim on the "
                            "case page or choose another route.", claim=_m(facts.damages), cap=_m(total_cap),
                            per_timely=_m(per_timely), per_not=_m(per_not), total_not=_m(route.cap_total_not_timely),
                            total=_m(route.max_claim)))
        return
    shares = facts.damages.allocate([Fraction(cap.minor) for cap in caps])
    check.extra["works"] = [{"work": w, "timely": timely(w, began), "cap": cap, "sought": share}
                            for w, cap, share in zip(eligible, caps, shares)]
    if began is None:
        check.notes.append(gettext("The case does not say when the use was found: no registration counts as "
                                   "timely (§ 412)."))


def _ipec(facts: Facts, route, check: RouteCheck) -> None:
    """CPR 63.27: the IPEC small claims track, for a copyright claim of a value up to £10,000; the
    IPEC sits for England and Wales (the party's region; Scotland and Northern Ireland have their
    own courts and routes, see check_case)."""
    check.language, check.court = "en", IPEC_COURT
    if not facts.party.subdivision:
        check.notes.append(gettext("The party's region is not recorded: England or Wales is assumed. Record it on "
                                   "the party page if the party is in Scotland or Northern Ireland."))
    _claim(facts, route, check)
    _addresses(facts, check)
    _evidence(facts, check)


def _complaint(facts: Facts, route, rules, check: RouteCheck) -> None:
    """A general complaint draft for the country's court (§ 253 ZPO's contents as the model: the
    parties, the court, the subject and ground of the claim and a definite application), for the
    lawyer to edit, with the evidence annex."""
    _claim(facts, route, check)
    _addresses(facts, check)
    _evidence(facts, check)
    _court(facts, check)
    wanted = rules.letter_language
    check.language = wanted if wanted in COMPLAINT_LANGUAGES else "en"
    if wanted not in COMPLAINT_LANGUAGES:
        check.notes.append(gettext("No complaint template in %(language)s (the court's language): the draft is in "
                                   "English, to be translated before filing.", language=wanted))


def find(checks: list[RouteCheck], route_id: str) -> RouteCheck | None:
    return next((c for c in checks if c.route == route_id), None)
