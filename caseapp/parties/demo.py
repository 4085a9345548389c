"""Demo parties: companies and a few private persons in fifteen countries, about one for
every three demo cases (so some have several cases); most with a postal address."""
from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import func, insert, select

from caseapp.core.demo import Demo, chunks, set_sequence
from caseapp.parties.models import Party

# country: (currency, language, legal forms, cities, street word, weight)
COUNTRIES = {
    "DE": ("EUR", "de", ["GmbH", "UG", "e.K.", "GmbH & Co. KG"], ["Berlin", "Köln", "München", "Hamburg", "Leipzig", "Stuttgart"], "Straße", 30),
    "AT": ("EUR", "de", ["GmbH", "OG", "KG"], ["Wien", "Graz", "Linz", "Salzburg"], "Gasse", 6),
    "CH": ("CHF", "de", ["AG", "GmbH", "Sàrl"], ["Zürich", "Basel", "Genève", "Bern"], "Strasse", 4),
    "FR": ("EUR", "fr", ["SARL", "SAS", "EURL"], ["Paris", "Lyon", "Marseille", "Bordeaux", "Lille"], "Rue", 10),
    "IT": ("EUR", "it", ["S.r.l.", "S.p.A.", "S.n.c."], ["Milano", "Roma", "Torino", "Bologna", "Napoli"], "Via", 7),
    "ES": ("EUR", "es", ["S.L.", "S.A."], ["Madrid", "Barcelona", "Valencia", "Sevilla"], "Calle", 6),
    "NL": ("EUR", "nl", ["B.V.", "V.O.F."], ["Amsterdam", "Rotterdam", "Utrecht", "Eindhoven"], "straat", 5),
    "BE": ("EUR", "nl", ["BV", "SRL", "NV"], ["Antwerpen", "Bruxelles", "Gent", "Liège"], "straat", 3),
    "PL": ("PLN", "pl", ["Sp. z o.o.", "S.A."], ["Warszawa", "Kraków", "Wrocław", "Gdańsk"], "ulica", 4),
    "GB": ("GBP", "en", ["Ltd", "LLP", "plc"], ["London", "Manchester", "Bristol", "Leeds", "Glasgow"], "Road", 8),
    "IE": ("EUR", "en", ["Ltd", "DAC"], ["Dublin", "Cork", "Galway"], "Street", 2),
    "US": ("USD", "en", ["LLC", "Inc.", "Corp."], ["New York", "Austin", "Denver", "Seattle", "Miami"], "Street", 8),
    "SE": ("SEK", "sv", ["AB", "HB"], ["Stockholm", "Göteborg", "Malmö"], "gatan", 3),
    "DK": ("DKK", "da", ["ApS", "A/S"], ["København", "Aarhus", "Odense"], "vej", 2),
    "CZ": ("CZK", "cs", ["s.r.o.", "a.s."], ["Praha", "Brno", "Ostrava"], "ulice", 2),
}
STEMS = ["Bergwerk", "Sonnenhof", "Lune", "Blauwal", "Kaffeekunst", "Alpenglück", "Horizon", "Nova",
         "Riverside", "Bellavista", "Sterntaler", "Papillon", "Goldfisch", "Urban Nest", "Marea",
         "Eichenhain", "Vento", "Lighthouse", "Mosaik", "Pixelwerk", "Aurora", "Seeblick", "Kiwi",
         "Terra", "Brightside", "Waldhaus", "Atelier", "Ostwind", "Copper", "Fjell"]
TRADES = ["Reisen", "Immobilien", "Design", "Media", "Shop", "Hotel", "Consulting", "Bau",
          "Travel", "Foods", "Studio", "Verlag", "Yoga", "Dental", "Auto", "Garden"]


@dataclass(frozen=True)
class DemoParty:
    """What the cases loader needs of a demo party."""
    id: int
    country: str
    currency: str          # the currency a claim against it is made in
    site: str
    has_address: bool


def load(demo: Demo) -> None:
    rows = [_party(demo.rng, demo.seed * 100000 + i) for i in range(max(1, demo.cases // 3))]
    first = (demo.session.scalar(select(func.max(Party.id))) or 0) + 1  # ids after this load's
    for chunk in chunks(rows, 5000):
        demo.session.execute(insert(Party), [{**row, "created_at": demo.now, "updated_at": demo.now} for row in chunk])
    ids = list(demo.session.scalars(select(Party.id).where(Party.id >= first).order_by(Party.id)))
    set_sequence(demo.session, "party", Party.id)
    demo.made["parties"] = [DemoParty(i, r["country"], COUNTRIES[r["country"]][0], r["site"], r["street"] is not None)
                            for i, r in zip(ids, rows)]
    demo.counts["parties"] = len(rows)
    _lookups(demo, list(zip(ids, rows)))


# Where each country's sites publish who runs them (the lookup's own words are in legal_notice.toml).
NOTICE_PATH = {"de": "impressum", "fr": "mentions-legales", "it": "note-legali", "es": "aviso-legal",
               "nl": "colofon", "pl": "nota-prawna", "sv": "om-oss", "da": "om-os", "cs": "pravni-informace"}


def _de_vat(rng: random.Random) -> str:
    """A German VAT ID that passes its check digit (ISO 7064 MOD 11,10: stdnum.de.vat)."""
    from stdnum.iso7064 import mod_11_10

    body = f"{rng.randint(10000000, 99999999)}"
    return f"DE{body}{mod_11_10.calc_check_digit(body)}"


def _lookups(demo: Demo, parties: list[tuple[int, dict]]) -> None:
    """About two thirds of the parties with an address were looked up: the address from their legal
    notice (each field with that source), a commercial verdict with its reasons, and for one in five
    the domain's registration naming another city beside it (to pick from). A generator of its own,
    so the other loaders' data stay as they were for a seed."""
    from datetime import timedelta

    from caseapp.parties.lookup.commercial import WEIGHTS, decide
    from caseapp.parties.models import PartyAddressCandidate, PartyFieldSource

    rng = random.Random(demo.seed * 7919 + 18)
    candidates, sources = [], []
    for party_id, row in parties:
        if row["street"] is None or rng.random() > 0.66:
            continue
        when = demo.now - timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 600))
        url = f"https://{row['site']}/{NOTICE_PATH.get(row['language'], 'imprint')}"
        company = row["kind"] == "company"
        vat = _de_vat(rng) if company and row["country"] == "DE" and rng.random() < 0.8 else None
        register = f"HRB {rng.randint(10000, 250000)}" if vat and rng.random() < 0.7 else None
        reasons = []
        if vat:
            reasons.append({"signal": "vat_id", "weight": WEIGHTS["vat_id"], "detail": vat})
        if register:
            reasons.append({"signal": "register_number", "weight": WEIGHTS["register_number"], "detail": register})
        if company:
            reasons.append({"signal": "legal_form", "weight": WEIGHTS["legal_form"], "detail": row["name"]})
            if rng.random() < 0.4:
                reasons.append({"signal": "shop", "weight": WEIGHTS["shop"], "detail": "cart, checkout; prices"})
        elif rng.random() < 0.6:
            reasons.append({"signal": "private_site", "weight": WEIGHTS["private_site"], "detail": "personal blog"})
        score = sum(r["weight"] for r in reasons)
        fields = {name: row[name] for name in ("name", "street", "postal_code", "city", "country", "email")}
        demo.session.execute(Party.__table__.update().where(Party.id == party_id).values(
            vat_id=vat, register_number=register, address_source="legal_notice", address_source_url=url,
            address_checked_at=when, commercial=decide(score, any(r["signal"] == "private_site" for r in reasons)),
            commercial_score=score, commercial_reasons=reasons))
        candidates.append({"party_id": party_id, "source": "legal_notice", "source_url": url, "confidence": 90,
                           "vat_id": vat, "register_number": register, "found_at": when, "chosen": True, **fields})
        if rng.random() < 0.2:     # the registrar's record names an older address
            _currency, _language, _forms, cities, _street, _ = COUNTRIES[row["country"]]
            candidates.append({"party_id": party_id, "source": "rdap", "source_url": f"https://rdap.example/domain/{row['site']}",
                               "confidence": 40, "found_at": when, "chosen": False, "name": row["name"],
                               "street": None, "postal_code": None, "city": rng.choice(cities),
                               "country": row["country"], "email": None})
        sources += [{"party_id": party_id, "field": name, "source": "legal_notice", "source_url": url,
                     "recorded_at": when, "actor": "address lookup"}
                    for name in ("name", "street", "postal_code", "city", "country", "vat_id", "register_number")
                    if fields.get(name) or (name == "vat_id" and vat) or (name == "register_number" and register)]
    for table, rows in ((PartyAddressCandidate, candidates), (PartyFieldSource, sources)):
        for chunk in chunks(rows, 5000):
            demo.session.execute(insert(table), chunk)
    demo.counts["parties looked up"] = len({c["party_id"] for c in candidates})


def _pick_country(rng: random.Random) -> str:
    codes = list(COUNTRIES)
    return rng.choices(codes, weights=[COUNTRIES[c][5] for c in codes])[0]


def _party(rng: random.Random, serial: int) -> dict:
    country = _pick_country(rng)
    currency, language, forms, cities, street, _ = COUNTRIES[country]
    stem = rng.choice(STEMS)
    trade = rng.choice(TRADES)
    private = rng.random() < 0.12
    name = f"{stem} {trade} {rng.choice(forms)}" if not private else f"{rng.choice(['A.', 'J.', 'M.', 'S.'])} {stem}"
    site = f"{stem}-{trade}-{serial}".lower().replace(" ", "") + {"GB": ".co.uk", "US": ".com"}.get(country, f".{country.lower()}")
    has_address = rng.random() > 0.08
    return {
        "name": name, "kind": "person" if private else "company", "site": site,
        "email": f"info@{site}" if rng.random() > 0.3 else None,
        "street": (f"{stem}{street} {rng.randint(1, 180)}" if street.islower() else f"{stem} {street} {rng.randint(1, 180)}") if has_address else None,
        "postal_code": f"{rng.randint(10000, 99999)}" if has_address else None,
        "city": rng.choice(cities) if has_address else None,
        "country": country, "language": language, "version": 1,
    }
