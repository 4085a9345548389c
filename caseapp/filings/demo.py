"""Showcase cases for the filings, in the legal stage, with everything a filing needs (made through
the clients', parties', cases' and evidence services, as a person would): a German Mahnverfahren
with a foreign client and one with a German client, the European Small Claims Procedure in France,
Austria, Spain, Italy and the Netherlands (each with a client from another member state), the US
Copyright Claims Board with a registered work and with a pending application, the IPEC small claims
track in England, a party in Scotland (IPEC refused), one in Denmark (no ESCP), and one that lacks the
party's postal code. Each case has an evidence capture (made without the internet: the stored
files of a capture of the showcase page). The court domain's demo records courts on legal cases
afterwards, which opens the ESCP and the general complaint."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from caseapp.core.demo import Demo
from caseapp.core.money import Money

PREFIX = "Filings showcase"


@dataclass(frozen=True)
class Showcase:
    key: str
    client: dict
    party: dict
    claim: tuple[tuple[str, str, str, bool], ...]     # (label, amount, basis, cost)
    currency: str
    work: dict = field(default_factory=dict)          # ownership evidence (registration, publication)
    second_work: dict | None = None


def _claim(*lines):
    return tuple(lines)


LICENCE = ("Licence fee (licence analogy)", "Licence analogy, MFM-style rate for one year of web use")
SHOWCASES = (
    Showcase("de-foreign-client",
             dict(name="Lucie Martin Photographie", country="FR", street="8 rue des Carmes", postcode="69002",
                  city="Lyon", legal_form="person", email="lucie@martin-photo.example"),
             dict(name="Bergblick Reisen GmbH", country="DE", street="Leopoldstraße 45", postal_code="80802",
                  city="München", subdivision="BY", site="bergblick-reisen.example"),
             _claim(("Lizenzgebühr (Lizenzanalogie)", "900.00", "MFM-Honorarempfehlung, ein Jahr Webnutzung", False),
                    ("Zuschlag für fehlende Urheberbenennung", "900.00", "§ 13 UrhG, 100 %", False),
                    ("Rechtsanwaltskosten der Abmahnung", "159.94", "RVG VV 2300 bei €1.800", True)),
             "EUR"),
    Showcase("de-german-client",
             dict(name="Jonas Keller Fotografie", country="DE", street="Rüttenscheider Straße 12", postcode="45130",
                  city="Essen", legal_form="person", email="jonas@keller-foto.example"),
             dict(name="Hafenkante Immobilien GmbH", country="DE", street="Große Elbstraße 14", postal_code="22767",
                  city="Hamburg", subdivision="HH", site="hafenkante-immobilien.example"),
             _claim(("Lizenzgebühr (Lizenzanalogie)", "650.00", "MFM-Honorarempfehlung, ein Jahr Webnutzung", False),
                    ("Inkassokosten", "70.20", "RVG VV 2300, begrenzt durch § 13e RDG", True)),
             "EUR"),
    Showcase("fr-escp",
             dict(name="Anna Vogt Photography", country="DE", street="Schönhauser Allee 36", postcode="10435",
                  city="Berlin", legal_form="person", email="anna@vogt-photo.example"),
             dict(name="Maison Lumière SARL", country="FR", street="24 rue du Faubourg Saint-Denis",
                  postal_code="75010", city="Paris", site="maison-lumiere.example"),
             _claim((LICENCE[0], "1200.00", LICENCE[1], False)), "EUR"),
    Showcase("at-escp",
             dict(name="Studio Rossi", country="IT", street="Via Roma 10", postcode="20121", city="Milano",
                  legal_form="company", email="studio@rossi-foto.example"),
             dict(name="Alpenhof Hotel GmbH", country="AT", street="Maria-Theresien-Straße 18", postal_code="6020",
                  city="Innsbruck", site="alpenhof-hotel.example"),
             _claim((LICENCE[0], "800.00", LICENCE[1], False)), "EUR"),
    Showcase("es-escp",
             dict(name="Pieter de Vries Fotografie", country="NL", street="Prinsengracht 200", postcode="1016 HD",
                  city="Amsterdam", legal_form="person", email="pieter@devries-foto.example"),
             dict(name="Viajes Sol y Mar S.L.", country="ES", street="Calle de Alcalá 55", postal_code="28014",
                  city="Madrid", site="viajes-solymar.example"),
             _claim((LICENCE[0], "950.00", LICENCE[1], False)), "EUR"),
    Showcase("it-escp",
             dict(name="Claire Dubois Images", country="FR", street="15 boulevard Longchamp", postcode="13001",
                  city="Marseille", legal_form="person", email="claire@dubois-images.example"),
             dict(name="Trattoria Bella Vista S.r.l.", country="IT", street="Via del Corso 120", postal_code="00186",
                  city="Roma", site="bellavista-trattoria.example"),
             _claim((LICENCE[0], "700.00", LICENCE[1], False)), "EUR"),
    Showcase("nl-escp",
             dict(name="Markus Berger Fotografie", country="AT", street="Mariahilfer Straße 88", postcode="1070",
                  city="Wien", legal_form="person", email="markus@berger-foto.example"),
             dict(name="Fietsverhuur Amstel B.V.", country="NL", street="Damrak 70", postal_code="1012 LM",
                  city="Amsterdam", site="fietsverhuur-amstel.example"),
             _claim((LICENCE[0], "850.00", LICENCE[1], False)), "EUR"),
    Showcase("us-ccb-registered",
             dict(name="Emily Carter Photography LLC", country="US", street="410 W 14th Street",
                  postcode="10014", city="New York", legal_form="company", email="emily@carter-photo.example"),
             dict(name="Sunset Coast Realty Inc.", country="US", street="2200 Ocean Avenue", postal_code="90405",
                  city="Santa Monica", subdivision="CA", site="sunsetcoast-realty.example"),
             _claim(("Statutory damages (17 U.S.C. § 1504(e)(1)(A))", "6000.00", "two works", False)), "USD",
             work=dict(us_registration_number="VA0002345678", us_registered_on=-400,
                       first_published_on=-420, publication_country="US"),
             second_work=dict(us_applied_on=-30, first_published_on=-300, publication_country="US")),
    Showcase("us-ccb-pending",
             dict(name="Daniel Brooks Photo", country="US", street="85 Pike Street", postcode="98101",
                  city="Seattle", legal_form="person", email="dan@brooks-photo.example"),
             dict(name="Evergreen Outdoor Supply LLC", country="US", street="1500 Broadway", postal_code="80202",
                  city="Denver", subdivision="CO", site="evergreen-outdoor.example"),
             _claim(("Statutory damages (17 U.S.C. § 1504(e)(1)(A))", "5000.00", "one work", False)), "USD",
             work=dict(us_applied_on=-20, first_published_on=-200, publication_country="US")),
    Showcase("gb-ipec",
             dict(name="Oliver Hughes Photography", country="GB", street="12 Canal Street", postcode="M1 3HE",
                  city="Manchester", legal_form="person", email="oliver@hughes-photo.example"),
             dict(name="Thames Garden Centre Ltd", country="GB", street="45 Riverside Road", postal_code="SE1 9PH",
                  city="London", subdivision="ENG", site="thames-garden.example"),
             _claim(("Licence fee (user principle)", "1500.00", "reasonable royalty for two years", False)), "GBP"),
    Showcase("gb-scotland",
             dict(name="Oliver Hughes Photography", country="GB", street="12 Canal Street", postcode="M1 3HE",
                  city="Manchester", legal_form="person", email="oliver@hughes-photo.example"),
             dict(name="Highland Tours Ltd", country="GB", street="8 Royal Mile", postal_code="EH1 1RE",
                  city="Edinburgh", subdivision="SCT", site="highland-tours.example"),
             _claim(("Licence fee (user principle)", "1200.00", "reasonable royalty", False)), "GBP"),
    Showcase("dk-no-escp",
             dict(name="Anna Vogt Photography", country="DE", street="Schönhauser Allee 36", postcode="10435",
                  city="Berlin", legal_form="person", email="anna@vogt-photo.example"),
             dict(name="Nordlys Design ApS", country="DK", street="Vesterbrogade 60", postal_code="1620",
                  city="København V", site="nordlys-design.example"),
             _claim((LICENCE[0], "7500.00", "DKK at the Danish rate", False)), "DKK"),
    Showcase("de-missing-postcode",
             dict(name="Lucie Martin Photographie", country="FR", street="8 rue des Carmes", postcode="69002",
                  city="Lyon", legal_form="person", email="lucie@martin-photo.example"),
             dict(name="Seeblick Pension", country="DE", street="Uferweg 3", postal_code=None, city="Konstanz",
                  subdivision="BW", site="seeblick-pension.example"),
             _claim(("Lizenzgebühr (Lizenzanalogie)", "600.00", "MFM-Honorarempfehlung", False)), "EUR"),
)


def _picture(seed: int, size=(360, 240)) -> bytes:
    from PIL import Image, ImageDraw

    colour = ((seed * 67) % 200 + 30, (seed * 131) % 200 + 30, (seed * 29) % 200 + 30)
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    for k in range(6):
        x = (seed * 37 + k * 53) % size[0]
        draw.rectangle((x, (k * 41) % size[1], x + 40 + k * 7, (k * 41) % size[1] + 30 + seed % 40),
                       fill=((k * 50 + seed * 13) % 255, (k * 90) % 255, (seed * 7 + k * 30) % 255))
    draw.ellipse((size[0] - 80 - seed % 60, 20, size[0] - 30 - seed % 60, 70), fill=(250, 210, 60))
    out = io.BytesIO()
    image.save(out, "JPEG" if seed >= 0 else "PNG", quality=90)
    return out.getvalue()


def _png(text: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 500), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 800, 60), fill=(40, 70, 110))
    draw.text((20, 20), text[:90], fill=(255, 255, 255))
    draw.rectangle((40, 100, 440, 380), fill=(120, 160, 200))
    draw.text((40, 400), "Demo capture (made without the internet)", fill=(30, 30, 30))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _language(country: str) -> str:
    from caseapp.feasibility.rules import jurisdiction

    rules = jurisdiction(country)
    return rules.letter_language if rules else "en"


def build(session, store, actor, today: date, cases: list[Showcase] = SHOWCASES) -> dict[str, str]:
    """Make the showcase cases; returns {key: case ref}."""
    from caseapp.cases import lifecycle
    from caseapp.cases import services as cases_services
    from caseapp.clients import ownership
    from caseapp.clients import services as clients
    from caseapp.evidence.capture import Captured
    from caseapp.evidence.services import record_capture
    from caseapp.parties import services as parties

    made, client_ids = {}, {}
    for n, show in enumerate(cases, 1):
        key = (show.client["name"], show.client["country"])
        if key not in client_ids:
            tax = "small_business" if show.client["legal_form"] == "company" else "private"
            client = clients.add_client(session, actor, **show.client, tax_status=tax, language=_language(show.client["country"]))
            clients.record_mandate(session, store, actor, client.id, "mandate.png", _png(f"Mandate {client.name}"),
                                   today - timedelta(days=300), today=today)
            client_ids[key] = client.id
        client_id = client_ids[key]
        works = []
        for w, evidence in enumerate([show.work] + ([show.second_work] if show.second_work else [])):
            work = clients.add_work(session, store, actor, client_id=client_id,
                                    title=f"{show.party['city']} {'skyline' if w == 0 else 'at dusk'}",
                                    data=_picture(n * 3 + w))
            values = {k: (today + timedelta(days=v) if isinstance(v, int) else v) for k, v in evidence.items()}
            if values:
                ownership.record_evidence(session, actor, work, today=today, seen_version=None, **values)
            ownership.verify(session, actor, work, evidence="RAW file and the client's licence invoices (demo)",
                             seen_version=None, despite="checked by hand for the filings showcase (demo)")
            works.append(work)
        party = parties.add_party(session, actor, kind="company", language=_language(show.party["country"]),
                                  **{k: v for k, v in show.party.items() if v is not None})
        found = datetime.combine(today - timedelta(days=120 + n), time(10, 0), tzinfo=timezone.utc)
        items = [cases_services.ItemSpec(work.id, f"https://www.{show.party['site']}/page/{n}{k}",
                                         f"https://www.{show.party['site']}/img/{n}{k}.jpg", found)
                 for k, work in enumerate(works)]
        lines = [{"label": label, "amount": amount, "basis": basis, **({"cost": True} if cost else {})}
                 for label, amount, basis, cost in show.claim]
        claimed = Money.sum((Money.parse(amount, show.currency) for _, amount, _, _ in show.claim), show.currency)
        case = cases_services.open_case(session, actor, client_id=client_id, party_id=party.id, items=items,
                                        claimed=claimed, today=today - timedelta(days=100), claim_lines=lines)
        for stage in (lifecycle.CHECKING, lifecycle.READY, lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT,
                      lifecycle.FINAL_DEMAND, lifecycle.LEGAL):
            cases_services.change_stage(session, actor, case, stage, today=today)
        for item in case.items:
            captured = Captured(url=item.page_url, final_url=item.page_url, status=200, headers=[],
                                captured_at=found + timedelta(days=1), exchanges=[], image_url=item.image_url,
                                image_status=200, image_present=True, browser="demo",
                                files={"page.warc.gz": f"WARC {item.page_url}".encode(),
                                       "screenshot.png": _png(f"{show.party['name']} — {item.page_url}"),
                                       "page.html": f"<p>{show.party['name']}</p>".encode(), "exchanges.json": b"[]",
                                       "image.jpg": store.read(item.work.file_sha256)})
            record_capture(session, actor, store, captured, kind="on_demand", case_id=case.id, case_item_id=item.id)
        made[show.key] = case.ref
    return made


def load(demo: Demo) -> None:
    demo.made["filings"] = build(demo.session, demo.store, demo.actor, demo.today)
    demo.counts["filing showcase cases"] = len(demo.made["filings"])
