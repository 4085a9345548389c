"""Demo data in bulk: a believable firm's book of cases."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from caseapp.cases import lifecycle
from caseapp.cases.models import Case, CaseItem
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.filestore import FileStore
from caseapp.core.money import Money
from caseapp.core.sequences import reserve_values
from caseapp.demo.pictures import landscape_jpeg
from caseapp.feasibility import services as feasibility
from caseapp.parties.models import Party
from caseapp.clients import services as clients
from caseapp.clients.models import Client

CLIENTS = [
    ("Lena Hoffmann Fotografie", "DE", "photographer", "de"),
    ("Nordlicht Bildagentur GmbH", "DE", "agency", "de"),
    ("Atelier Marin", "FR", "photographer", "fr"),
    ("Studio Aurora", "IT", "photographer", "it"),
    ("Peak Images Ltd", "GB", "agency", "en"),
    ("Mira Kowalska Photography", "PL", "photographer", "pl"),
    ("Lumen Stock Agency B.V.", "NL", "agency", "nl"),
    ("Sol y Sombra Fotos", "ES", "photographer", "es"),
    ("Fjord Foto AS", "NO", "photographer", "no"),
    ("Redwood Pictures LLC", "US", "publisher", "en"),
]

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
WORK_TITLES = ["Alpine dawn", "Harbour at dusk", "Ridge line", "Quiet valley", "First light",
               "Blue hour", "Desert crossing", "Northern shore", "Storm front", "Evening ridge"]

# How a book of cases spreads over the lifecycle (weights).
STAGE_WEIGHTS = {
    lifecycle.NEW: 8, lifecycle.CHECKING: 6, lifecycle.READY: 4, lifecycle.OFFER_SENT: 12,
    lifecycle.REMINDER_SENT: 8, lifecycle.FINAL_DEMAND: 5, lifecycle.COLLECTION: 4,
    lifecycle.LEGAL: 3, lifecycle.COURT: 2, lifecycle.ENFORCEMENT: 1, lifecycle.SETTLED: 4,
    lifecycle.PAID: 3, lifecycle.ON_HOLD: 2, lifecycle.CLOSED: 18,
}
# A believable path from new to each stage, for the demo timelines.
PATHS = {
    lifecycle.NEW: [],
    lifecycle.CHECKING: [lifecycle.CHECKING],
    lifecycle.READY: [lifecycle.CHECKING, lifecycle.READY],
}
_ladder = [lifecycle.CHECKING, lifecycle.READY, lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT,
           lifecycle.FINAL_DEMAND, lifecycle.COLLECTION, lifecycle.LEGAL, lifecycle.COURT,
           lifecycle.ENFORCEMENT]
for _i, _stage in enumerate(_ladder):
    PATHS[_stage] = _ladder[: _i + 1]
PATHS[lifecycle.SETTLED] = _ladder[:4] + [lifecycle.SETTLED]
PATHS[lifecycle.PAID] = _ladder[:3] + [lifecycle.PAID]
PATHS[lifecycle.ON_HOLD] = _ladder[:3] + [lifecycle.ON_HOLD]


@dataclass
class DemoSummary:
    clients: int
    works: int
    parties: int
    cases: int
    hits: int = 0


# Sites the demo crawler found copies on: (site, how often). A few big ones, so that
# triage by site and whitelisting a social network show what they are for.
HIT_SITES = [("pinterest.com", 8), ("reisen-blog.de", 6), ("alpenhotel-sonnenhof.at", 4), ("bergwerk-shop.de", 4),
             ("atelier-lune.fr", 3), ("viaggi-bellavista.it", 3), ("urbannest-immobilien.de", 3),
             ("horizon-travel.co.uk", 3), ("kaffeekunst.de", 2), ("marea-hotel.es", 2), ("nova-design.nl", 2),
             ("brightside-news.com", 2), ("fjell-hytter.no", 1), ("ostwind-yoga.de", 1), ("copper-foods.ie", 1),
             ("pixelwerk-agentur.ch", 1), ("seeblick-pension.de", 1), ("terra-garden.pl", 1)]


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


def load_demo(session: Session, store: FileStore, *, cases: int, today: date, seed: int = 2026,
              works: int = 40, hits: int = 0, assign_to: list[int] | None = None,
              progress: Callable[[int], None] | None = None) -> DemoSummary:
    """Add `cases` demo cases (and the clients, works and parties they need) and `hits`
    undecided hits to triage."""
    rng = random.Random(seed)
    actor = Actor.system("demo")
    now = datetime.now(timezone.utc)

    # Clients and their works: real image files in the store.
    client_ids = []
    for name, country, kind, language in CLIENTS:
        existing = session.scalar(select(Client).where(Client.name == name))
        client = existing or clients.add_client(session, actor, name=name, country=country, kind=kind,
                                                language=language, email=None)
        client_ids.append(client.id)
    work_ids: dict[int, list[int]] = {cid: [] for cid in client_ids}
    for n in range(works):
        client_id = client_ids[n % len(client_ids)]
        work = clients.add_work(session, store, actor, client_id=client_id,
                                title=f"{WORK_TITLES[n % len(WORK_TITLES)]} #{n + 1}",
                                data=landscape_jpeg(seed * 1000 + n))
        work_ids[client_id].append(work.id)
    session.flush()

    # Parties: about one for every three cases, some with several cases.
    n_parties = max(1, cases // 3)
    party_rows = [_party(rng, seed * 100000 + i) for i in range(n_parties)]
    first_party = (session.scalar(select(func.max(Party.id))) or 0) + 1  # ids after this load's
    for chunk in _chunks(party_rows, 5000):
        session.execute(insert(Party), [{**row, "created_at": now, "updated_at": now} for row in chunk])
    party_ids = list(session.scalars(select(Party.id).where(Party.id >= first_party).order_by(Party.id)))
    party_by_id = dict(zip(party_ids, party_rows))

    with_works = [cid for cid in client_ids if work_ids[cid]]
    # A handler works a few dozen cases at a time; the rest wait unassigned.
    assign_rate = min(0.25, 80 * len(assign_to or []) / cases)
    stages = list(STAGE_WEIGHTS)
    weights = list(STAGE_WEIGHTS.values())
    refs = reserve_values(session, "case", str(today.year), cases)
    first_case = (session.scalar(select(func.max(Case.id))) or 0) + 1
    done = 0
    for chunk_start in range(0, cases, 2000):
        chunk = range(chunk_start, min(cases, chunk_start + 2000))
        case_rows, item_rows, event_rows = [], [], []
        for i in chunk:
            case_id = first_case + i
            client_id = rng.choice(with_works)
            party_id = rng.choice(party_ids)
            country = party_by_id[party_id]["country"]
            currency = COUNTRIES[country][0]
            stage = rng.choices(stages, weights)[0]
            opened = now - timedelta(days=rng.randint(3, 700), minutes=rng.randint(0, 1440))
            items = rng.choices(work_ids[client_id], k=rng.choice([1, 1, 1, 2, 2, 3]))
            rng.choice(["150", "250", "300", "450", "600", "900"])   # (kept: the demo's random sequence)
            claim = _demo_claim(country, i, len(items))
            claimed = claim.total.minor
            closed = stage == lifecycle.CLOSED
            due = None if closed else today + timedelta(days=rng.randint(-12, 40))
            assignee = None
            if assign_to and not closed and rng.random() < assign_rate:
                assignee = rng.choice(assign_to)
            reason = None
            if closed:
                reason = rng.choice([r for r in lifecycle.CLOSURE_REASONS if r != "paid_in_full"] + ["paid_in_full"] * 6)
            path = PATHS.get(stage, [])
            if closed:
                path = (PATHS[lifecycle.PAID] if reason == "paid_in_full" else _ladder[: rng.randint(1, 5)]) + [lifecycle.CLOSED]
            step_time = opened
            held_from = PATHS[lifecycle.ON_HOLD][-2] if stage == lifecycle.ON_HOLD else None
            if rng.random() >= 0.15:   # draws kept so that the demo's random sequence stays as it was
                rng.uniform(0.2, 0.8)
            case_rows.append({
                "id": case_id, "ref": f"C-{today.year}-{refs[i]:06d}", "client_id": client_id,
                "party_id": party_id, "country": country, "stage": stage, "held_from_stage": held_from,
                "closure_reason": reason, "assignee_id": assignee, "currency": currency,
                "claimed_minor": claimed, "claim_lines": claim.lines_as_data(),
                "expected_value_minor": None, "expected_value_eur_minor": None,   # valued below, once past new
                "next_step": None if closed else lifecycle.NEXT_STEP[stage], "next_due_on": due,
                "stage_changed_at": opened, "closed_at": opened + timedelta(days=len(path) * 9) if closed else None,
                "version": 1, "created_at": opened, "updated_at": opened,
            })
            for work_id in items:
                item_rows.append({"case_id": case_id, "work_id": work_id,
                                  "page_url": f"https://www.{party_by_id[party_id]['site']}/{rng.choice(['blog', 'news', 'p', 'angebote', 'reisen'])}/{rng.randint(100, 99999)}",
                                  "image_url": None, "found_at": opened - timedelta(days=rng.randint(1, 60)),
                                  "created_at": opened, "updated_at": opened})
            if stage != lifecycle.NEW:   # feasibility values the claim: the queue's order
                first_found = min(row["found_at"] for row in item_rows[-len(items):]).date()
                outlook = feasibility.assess(country, amount=Money(claimed, currency), commercial=True,
                                             address=party_by_id[party_id]["street"] is not None,
                                             infringed_on=first_found, today=today, works=len(set(items)))
                case_rows[-1]["expected_value_minor"] = outlook.expected_value.minor
                case_rows[-1]["expected_value_eur_minor"] = feasibility.convert(outlook.expected_value, "EUR").minor
            event_rows.append(_event(actor, "case.opened", case_id, step_time, to_state=lifecycle.NEW))
            previous = lifecycle.NEW
            for target in path:
                step_time = step_time + timedelta(days=rng.randint(2, 16))
                event_rows.append(_event(actor, "case.stage_changed", case_id, step_time,
                                         from_state=previous, to_state=target,
                                         reason=lifecycle.CLOSURE_REASONS[reason] if target == lifecycle.CLOSED else None))
                previous = target
        session.execute(insert(Case), case_rows)
        session.execute(insert(CaseItem), item_rows)
        session.execute(insert(AuditEvent), event_rows)
        done += len(chunk)
        if progress:
            progress(len(chunk))
    if session.get_bind().dialect.name == "postgresql":
        for table in ("case", "party"):
            session.execute(select(func.setval(func.pg_get_serial_sequence(f'"{table}"', "id"),
                                               select(func.max(Case.id if table == "case" else Party.id)).scalar_subquery())))
    made = load_demo_hits(session, store, rng, work_ids, hits, now) if hits else 0
    return DemoSummary(len(client_ids), works, n_parties, done, made)


def load_demo_hits(session: Session, store: FileStore, rng: random.Random, work_ids: dict[int, list[int]],
                   n: int, now: datetime) -> int:
    """`n` undecided hits: copies of the clients' works (cropped, mirrored, captioned,
    rescaled) on the demo sites; some pictures show two works (a cluster)."""
    import io

    from PIL import Image, ImageDraw, ImageOps

    from caseapp.core.images import thumbnail_bytes
    from caseapp.hits.models import Hit, Sighting
    from caseapp.hits.services import sighting_key
    from caseapp.clients.models import Work

    works = {w.id: w for w in session.scalars(select(Work).where(Work.id.in_([i for ids in work_ids.values()
                                                                              for i in ids])))}
    decoded: dict[int, Image.Image] = {}

    def picture(work_id: int) -> Image.Image:
        if work_id not in decoded:
            decoded[work_id] = Image.open(store.path_for(works[work_id].file_sha256)).convert("RGB")
        return decoded[work_id]

    sites = [d for d, weight in HIT_SITES for _ in range(weight)]
    owners = [cid for cid, ids in work_ids.items() if ids]
    made = 0
    for i in range(n):
        client_id = rng.choice(owners)
        shown = [rng.choice(work_ids[client_id])]
        if i % 12 == 11 and len(work_ids[client_id]) > 1:   # a collage: one picture, two works
            shown.append(rng.choice([w for w in work_ids[client_id] if w != shown[0]]))
        images = [picture(w) for w in shown]
        im = images[0]
        w, h = im.size
        kind = rng.randrange(4)
        # where the copy lies on the work (normalised coordinates), as the engine would report it
        place = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
        if kind == 0:
            box = (w // 12, h // 10, w - w // 14, h - h // 12)
            im = im.crop(box)
            place = [[(box[2] - box[0]) / w, 0.0, box[0] / w], [0.0, (box[3] - box[1]) / h, box[1] / h], [0, 0, 1.0]]
        elif kind == 1:
            im = ImageOps.mirror(im)
            place = [[-1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
        elif kind == 2:
            banner = Image.new("RGB", (w, h + h // 7), "white")
            banner.paste(im, (0, h // 7))
            ImageDraw.Draw(banner).text((12, 12), rng.choice(["Sommer-Special -20%", "Book now", "Neu im Shop"]),
                                        fill="black")
            im = banner
            place = [[1.0, 0.0, 0.0], [0.0, (h + h // 7) / h, -(h // 7) / h], [0.0, 0.0, 1.0]]
        places = [place]
        if len(images) > 1:
            collage = Image.new("RGB", (w * 2, h), "white")
            collage.paste(im.resize((w, h)), (0, 0))
            collage.paste(images[1], (w, 0))
            im = collage
            left = [[2.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]          # the collage's halves
            places = [_times(place, left), [[2.0, 0.0, -1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]]
        im = im.resize((max(200, int(im.width * 0.55)), max(150, int(im.height * 0.55))))
        out = io.BytesIO()
        im.save(out, "JPEG", quality=rng.randint(72, 88))
        data = out.getvalue()
        site = rng.choice(sites)
        page = f"https://www.{site}/{rng.choice(['blog', 'angebote', 'p', 'news', 'pin'])}/{rng.randint(100, 99999)}"
        image_url = f"https://www.{site}/media/{rng.randint(10000, 99999)}.jpg"
        sighting = Sighting(key=sighting_key(image_url, page), image_url=image_url, page_url=page, site=site,
                            found_at=now - timedelta(days=rng.choice([0, 0, 1, 1, 2, 3, 5, 8, 13, 21, 40, 95]),
                                                     minutes=rng.randint(0, 1440)),
                            image_sha256=store.put(data), thumbnail_sha256=store.put(thumbnail_bytes(data)[0]))
        session.add(sighting)
        session.flush()
        for work_id, placed in zip(shown, places):
            session.add(Hit(sighting_id=sighting.id, work_id=work_id, client_id=client_id, site=site,
                            score=round(rng.choice([rng.uniform(0.9, 0.99), rng.uniform(0.7, 0.9),
                                                    rng.uniform(0.5, 0.7)]), 3),
                            transform=[round(x, 6) for row in placed for x in row]))
            made += 1
    session.flush()
    return made


DEMO_USAGES = ("web-commercial", "web-editorial", "ecommerce-product", "social-media", "advertising", "print")


def _demo_claim(country: str, serial: int, images: int):
    """The claim as the country's rules price it: a usage, a duration and a missing credit
    that vary with the case."""
    return feasibility.claim_amount(country, usage=DEMO_USAGES[serial % 5 if serial % 11 else 4],
                                    months=(1, 3, 6, 12, 14, 24, 36)[serial % 7], images=images,
                                    credit_missing=serial % 3 == 0)


def _times(a: list[list[float]], b: list[list[float]]) -> list[list[float]]:
    """a x b for 3x3 matrices (lists)."""
    return [[sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)] for i in range(3)]


def _event(actor: Actor, action: str, case_id: int, at: datetime, **fields) -> dict:
    return {"occurred_at": at, "actor_id": None, "actor_name": actor.name, "action": action,
            "subject_type": "case", "subject_id": case_id, "case_id": case_id,
            "from_state": fields.get("from_state"), "to_state": fields.get("to_state"),
            "reason": fields.get("reason"), "details": None}


def _chunks(rows: list, size: int):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]
