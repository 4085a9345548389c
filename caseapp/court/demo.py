"""Demo court cases (after the filings' demo, demo_order 80): every demo case with the lawyer, in court
or in enforcement gets a court case at a real court of the party's country with its postal address,
on the route the country's rules name; those in court or enforcement are filed (file number, filing
date), with the court fee (and for some the lawyer's fee) advanced on those in euros, upcoming hearings and court
deadlines for some, one decision and one enforcement step. One case with the lawyer is left without
the court's address: a filing then says what is missing. Deterministic (the demo's seeded
generator); nothing that happened is dated after the demo's today."""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta, timezone

from caseapp.cases import lifecycle
from caseapp.cases import services as cases
from caseapp.core.demo import Demo
from caseapp.court import services
from caseapp.deadlines import services as deadlines
from caseapp.feasibility import services as feasibility

# Real courts and their postal addresses, by the party's country (the court for a small claim where the
# party lives; the court's own website gives the address). A country not listed uses its own row of
# DEFAULT_COURT with its capital's name.
COURTS = {
    "DE": [("Amtsgericht Köln", "Luxemburger Straße 101\n50939 Köln\nDeutschland"),
           ("Landgericht Berlin II", "Littenstraße 12-17\n10179 Berlin\nDeutschland"),
           ("Amtsgericht München", "Pacellistraße 5\n80333 München\nDeutschland")],
    "AT": [("Bezirksgericht Innere Stadt Wien", "Marxergasse 1a\n1030 Wien\nÖsterreich")],
    "CH": [("Bezirksgericht Zürich", "Badenerstrasse 90\n8004 Zürich\nSchweiz")],
    "FR": [("Tribunal judiciaire de Paris", "Parvis du Tribunal de Paris\n75859 Paris Cedex 17\nFrance")],
    "IT": [("Tribunale di Milano", "Via Freguglia 1\n20122 Milano\nItalia")],
    "ES": [("Juzgado de Primera Instancia de Madrid", "Calle del Poeta Joan Maragall 66\n28020 Madrid\nEspaña")],
    "NL": [("Rechtbank Amsterdam", "Parnassusweg 280\n1076 AV Amsterdam\nNederland")],
    "BE": [("Tribunal de première instance francophone de Bruxelles", "Place Poelaert 1\n1000 Bruxelles\nBelgique")],
    "PL": [("Sąd Rejonowy dla Warszawy-Śródmieścia", "ul. Marszałkowska 82\n00-517 Warszawa\nPolska")],
    "GB": [("Intellectual Property Enterprise Court", "Rolls Building\n7 Rolls Buildings\nFetter Lane\nLondon EC4A 1NL\n"
                                                      "United Kingdom")],
    # Scotland and Northern Ireland have courts of their own (the IPEC is England and Wales only, CPR 63):
    # the sheriff court for a simple procedure, the county court's small claims in Belfast.
    "GB-SCT": [("Edinburgh Sheriff Court", "27 Chambers Street\nEdinburgh EH1 1LB\nUnited Kingdom")],
    "GB-NIR": [("Belfast County Court (Small Claims Court)", "Laganside Courts\n45 Oxford Street\nBelfast BT1 3LL\n"
                                                          "United Kingdom")],
    "IE": [("Dublin District Court", "Criminal Courts of Justice\nParkgate Street\nDublin 8\nIreland")],
    "US": [("Copyright Claims Board", "101 Independence Ave SE\nWashington, DC 20559\nUnited States")],
    "SE": [("Stockholms tingsrätt", "Scheelegatan 7\n112 28 Stockholm\nSverige")],
    "DK": [("Københavns Byret", "Domhuset, Nytorv 25\n1450 København K\nDanmark")],
    "CZ": [("Obvodní soud pro Prahu 1", "Ovocný trh 587/14\n112 21 Praha 1\nČesko")],
}
# Costs advanced are posted on the demo's cases in euros only (the demo's money is in euros: its payments,
# payouts and reconciliation); a firm with cases in other currencies posts those too.
BANK_CURRENCY = "EUR"
# The route the firm takes in each country, in order of preference (the first the country's rules name).
ROUTE_PREFERENCE = ("ccb", "ipec-small-claims", "mahnverfahren", "european-small-claims", "small-claims",
                    "simple-procedure", "small-claims-ni", "court")
PROCEDURES = {"ccb": "CCB claim (CASE Act)", "ipec-small-claims": "IPEC small claims track",
              "mahnverfahren": "Mahnverfahren", "european-small-claims": "European Small Claims Procedure",
              "small-claims": "Small claim", "simple-procedure": "Simple procedure (sheriff court)",
              "small-claims-ni": "Small claims (county court)", "court": "Civil action"}


def _route(case):
    routes = {r.id: r for r in services.routes_for(case)}
    return next((routes[r] for r in ROUTE_PREFERENCE if r in routes), None)


def load(demo: Demo) -> None:
    session, today, actor = demo.session, demo.today, demo.actor
    rng = random.Random(demo.seed * 1000 + 80)   # its own: the loaders before keep their random sequence
    found = cases.court_cases(session, stages=services.COURT_STAGES, held_from=services.COURT_STAGES)
    made = hearings = decided = enforced = 0
    left_without_address = False
    for n, case in enumerate(found):
        if services.court_case_of(session, case.id) is not None:
            continue
        route = _route(case)
        court_name, address = _court_for(case, rng)
        stage = case.held_from_stage if case.stage == lifecycle.ON_HOLD else case.stage
        filed = stage in (lifecycle.COURT, lifecycle.ENFORCEMENT)
        if not filed and not left_without_address:    # the case whose filing lacks the court's address
            address, left_without_address = None, True
        filed_on = None
        if filed:
            since = case.court_since or case.created_at.date()
            filed_on = min(today, _weekday(since + timedelta(days=rng.randint(1, 12))))
            while filed_on.weekday() >= 5:       # (today on a weekend: the Friday before)
                filed_on -= timedelta(days=1)
        court_case = services.record_court_case(
            session, actor, case, route_id=route.id if route else None, court_name=court_name, court_address=address,
            procedure=PROCEDURES.get(route.id) if route else None,
            file_number=_file_number(case.country, n, today.year, rng) if filed else None,
            filed_on=filed_on, today=today)
        made += 1
        if not filed:
            continue
        if route is not None and case.currency == BANK_CURRENCY:
            fees = [("court_fee", route.court_fee)] + ([("lawyer_fee", route.lawyer_cost)] if n % 2 == 0 else [])
            for kind, fee in fees:
                amount = feasibility.convert(fee, case.currency)
                if amount.minor > 0:
                    services.record_cost(session, actor, case, kind=kind, amount=amount, paid_on=filed_on, today=today)
        if stage == lifecycle.COURT and n % 3 != 2:      # upcoming hearings and court deadlines for most
            day = deadlines.next_working_day(case.country, today + timedelta(days=rng.randint(3, 60)))
            at = datetime.combine(day, time(rng.choice([8, 9, 10, 13])), tzinfo=timezone.utc)
            services.add_hearing(session, actor, case, at=at, place=f"Room {rng.randint(1, 40)}",
                                 note="Oral hearing")
            due = deadlines.next_working_day(case.country, today + timedelta(days=rng.randint(2, 30)))
            services.add_deadline(session, actor, case, due_on=due, what="Reply to the statement of defence")
            hearings += 1
        if stage == lifecycle.ENFORCEMENT and decided == 0 and filed_on < today:   # the one decision...
            decided_on = min(today, filed_on + timedelta(days=max(1, (today - filed_on).days // 2)))
            services.record_decision(session, actor, case, decided_on=decided_on, outcome="won",
                                     awarded=case.claimed, costs_awarded=services.costs_advanced(court_case),
                                     today=today)
            decided += 1
            # ...and the one enforcement step (the case is already in enforcement)
            services.add_enforcement_step(session, actor, case, taken_on=today, kind="bailiff",
                                          note="Bailiff instructed to enforce the judgment", today=today)
            enforced += 1
    demo.counts["court cases"] = made
    demo.counts["hearings"] = hearings
    demo.counts["decisions"] = decided


def _court_for(case, rng) -> tuple[str | None, str | None]:
    """The court of the party's town where the table has it (the general venue, §§ 12, 13, 17 ZPO and
    their like), else one of the country's courts."""
    party = getattr(case, "party", None)
    region = f"{case.country}-{party.subdivision}" if party is not None and party.subdivision else None
    courts = COURTS.get(region) or COURTS.get(case.country) or [(None, None)]
    town = (getattr(case.party, "city", None) or "").strip().lower()
    at_home = [c for c in courts if c[1] and town and town in c[1].lower()]
    return at_home[0] if at_home else rng.choice(courts)


def _weekday(day):
    """A filing is made on a working day: a weekend day moves to the Monday."""
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def _file_number(country: str, n: int, year: int, rng) -> str:
    """A file number in the court's own style (illustrative, not a real file)."""
    serial = rng.randint(100, 9999)
    return {"DE": f"{rng.randint(100, 150)} C {serial}/{year % 100}", "AT": f"{rng.randint(1, 90)} C {serial}/{year % 100}",
            "FR": f"RG {year % 100}/{serial:05d}", "IT": f"R.G. {serial}/{year}", "ES": f"{serial}/{year}",
            "NL": f"C/13/{serial:06d}", "GB": f"IP-{year}-{serial:06d}", "US": f"{year}-CCB-{serial:04d}"
            }.get(country, f"{serial}/{year}")
