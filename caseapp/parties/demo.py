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
