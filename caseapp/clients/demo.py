"""Demo clients — photographers, agencies, a publisher in ten countries — and their works,
each a real image file in the store, indexed for matching as an upload would be."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from caseapp.clients import services
from caseapp.clients.demo_pictures import landscape_jpeg
from caseapp.clients.models import VERIFIED, Client, Work
from caseapp.core.audit import Actor
from caseapp.core.demo import Demo

CLIENTS = [
    # name, country, kind, language
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
# Who each client is, for tax and letters: legal form, tax status, VAT ID, contact, street,
# postcode, city (the VAT IDs pass python-stdnum's check; they are examples, not real firms').
DETAILS = {
    "Lena Hoffmann Fotografie": ("person", "small_business", None, "Lena Hoffmann", "Lindenstraße 4", "50674", "Köln"),
    "Nordlicht Bildagentur GmbH": ("company", "standard", "DE136695976", "Jonas Brandt", "Hafenweg 12", "20457",
                                   "Hamburg"),
    "Atelier Marin": ("person", "private", None, "Camille Marin", "12 rue des Arts", "13001", "Marseille"),
    "Studio Aurora": ("company", "standard", "IT00743110157", "Giulia Conti", "Via Roma 8", "20121", "Milano"),
    "Peak Images Ltd": ("company", "standard", None, "Oliver Grant", "4 Mill Lane", "LA22 9AA", "Ambleside"),
    "Mira Kowalska Photography": ("person", "standard", "PL5260250274", "Mira Kowalska", "ul. Długa 3", "00-238",
                                  "Warszawa"),
    "Lumen Stock Agency B.V.": ("company", "standard", "NL004495445B01", "Daan de Vries", "Keizersgracht 100",
                                "1015 AA", "Amsterdam"),
    "Sol y Sombra Fotos": ("person", "small_business", None, "Lucía Ortega", "Calle Mayor 21", "28013", "Madrid"),
    "Fjord Foto AS": ("company", "standard", None, "Ingrid Berg", "Bryggen 5", "5003", "Bergen"),
    "Redwood Pictures LLC": ("company", "standard", None, "Sam Carter", "200 Market St", "94105",
                             "San Francisco"),
}
# Contract overrides (the rest work under the default 70% / 50%): an agency that negotiated 55%
# out of court, with a minimum payout and a settlement floor.
CONTRACTS = {"Peak Images Ltd": dict(share_out_of_court_bp=5500, share_in_court_bp=5000, minimum_payout_minor=5000,
                                     settlement_floor_bp=8000,
                                     note="Negotiated terms: 55% out of court (agency volume).")}
# Bank accounts (valid IBANs; examples from the banks' own documentation): confirmed by a second
# person, except where the state says otherwise: a change waiting for the second person, one
# rejected. Redwood Pictures has none yet.
OLD_ACCOUNT = {"Atelier Marin": ("Camille Marin", "FR7630003009310005032013080")}
ACCOUNTS = {
    "Lena Hoffmann Fotografie": ("Lena Hoffmann", "DE89370400440532013000", "active"),
    "Nordlicht Bildagentur GmbH": ("Nordlicht Bildagentur GmbH", "DE02120300000000202051", "active"),
    # A changed account waiting for the second person (the old one stays active until then).
    "Atelier Marin": ("Camille Marin", "FR1420041010050500013M02606", "changed"),
    "Studio Aurora": ("Studio Aurora S.r.l.", "IT60X0542811101000000123456", "active"),
    "Peak Images Ltd": ("Peak Images Ltd", "GB29NWBK60161331926819", "active"),
    "Mira Kowalska Photography": ("Mira Kowalska", "PL61109010140000071219812874", "rejected"),
    "Lumen Stock Agency B.V.": ("Lumen Stock Agency B.V.", "NL91ABNA0417164300", "active"),
    "Sol y Sombra Fotos": ("Lucía Ortega", "ES9121000418450200051332", "active"),
    "Fjord Foto AS": ("Fjord Foto AS", "NO9386011117947", "active"),
}
# Two people, so that a bank account is requested by one and confirmed by another.
REQUESTER, SECOND_PERSON = "Anton Keller (accountant)", "Ada Schmidt (admin)"

WORK_TITLES = ["Alpine dawn", "Harbour at dusk", "Ridge line", "Quiet valley", "First light",
               "Blue hour", "Desert crossing", "Northern shore", "Storm front", "Evening ridge"]


@dataclass
class DemoClients:
    """What later loaders use: the clients' ids and each client's work ids."""
    client_ids: list[int]
    work_ids: dict[int, list[int]]


def load(demo: Demo) -> None:
    client_ids = []
    for name, country, kind, language in CLIENTS:
        existing = demo.session.scalar(select(Client).where(Client.name == name))
        client = existing or _add_client(demo, name, country, kind, language)
        client_ids.append(client.id)
    work_ids: dict[int, list[int]] = {cid: [] for cid in client_ids}
    for n in range(demo.works):
        client_id = client_ids[n % len(client_ids)]
        work = services.add_work(demo.session, demo.store, demo.actor, client_id=client_id,
                                 title=f"{WORK_TITLES[n % len(WORK_TITLES)]} #{n + 1}",
                                 data=landscape_jpeg(demo.seed * 1000 + n))
        work_ids[client_id].append(work.id)
    demo.session.flush()
    _ownership_on_file(demo, client_ids, [w for ids in work_ids.values() for w in ids])
    demo.made["clients"] = DemoClients(client_ids, work_ids)
    demo.counts.update(clients=len(client_ids), works=demo.works)


def _add_client(demo: Demo, name: str, country: str, kind: str, language: str) -> Client:
    """A complete client record: details, contract, mandate and bank account, through the
    services a person would use."""
    from datetime import timedelta

    from caseapp.clients import banking, contracts
    from caseapp.clients.demo_documents import mandate_pdf
    from caseapp.core.money import Money

    legal_form, tax_status, vat_id, contact, street, postcode, city = DETAILS[name]
    slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20]
    client = services.add_client(demo.session, demo.actor, name=name, country=country, kind=kind,
                                 language=language, email=f"office@{slug}.example", legal_form=legal_form,
                                 tax_status=tax_status, vat_id=vat_id, contact_name=contact, street=street,
                                 postcode=postcode, city=city,
                                 licensing_evidence="professional" if kind == "agency" else "none")
    terms = CONTRACTS.get(name)
    if terms:
        contracts.change_contract(demo.session, demo.actor, client.id,
                                  share_out_of_court_bp=terms["share_out_of_court_bp"],
                                  share_in_court_bp=terms["share_in_court_bp"],
                                  minimum_payout=Money(terms["minimum_payout_minor"], "EUR"),
                                  settlement_floor_bp=terms["settlement_floor_bp"], note=terms["note"])
    # Every client with cases signed a mandate (the newcomer below has not, yet).
    signed_on = demo.today - timedelta(days=40 + demo.rng.randrange(300))
    services.record_mandate(demo.session, demo.store, demo.actor, client.id, f"mandate-{slug}.pdf",
                            mandate_pdf(name, signed_on.isoformat()), signed_on, today=demo.today)
    if name in OLD_ACCOUNT:
        old = banking.request_account(demo.session, Actor.system(REQUESTER), client.id, *OLD_ACCOUNT[name])
        banking.confirm_account(demo.session, Actor.system(SECOND_PERSON), old.id, None)
    account = ACCOUNTS.get(name)
    if account:
        holder, iban, state = account
        requested = banking.request_account(demo.session, Actor.system(REQUESTER), client.id, holder, iban)
        if state == "active":
            banking.confirm_account(demo.session, Actor.system(SECOND_PERSON), requested.id, None)
        elif state == "rejected":
            banking.reject_account(demo.session, Actor.system(SECOND_PERSON), requested.id, None,
                                   "The holder named on the client's letter is a different person; ask the "
                                   "client for a statement of the account.")
    return client

# A client just signed up: no mandate yet, no bank account, works not checked; one of its
# pictures is also in Atelier Marin's portfolio (a conflict between clients). It has no cases.
NEWCOMER = ("Kai Brenner Fotografie", "DE", "photographer", "de")
NEWCOMER_WORKS = ["Harbour lights", "Dune study", "Lake at noon"]
CONFLICT_WITH = "Atelier Marin"
# Works whose status shows what the checks found (not used by the demo's cases and hits).
DISPUTED_WORK = ("Lumen Stock Agency B.V.", "Canal morning",
                 "Seen on alamy.com while the client declared no agency: ask whether it sells this picture "
                 "through Alamy before any letter goes out.")


def _ownership_on_file(demo: Demo, client_ids: list[int], work_ids: list[int]) -> None:
    """The works the demo's cases and hits use are verified (the cases past the checks stage
    passed the gate), with evidence and a licence sale on a few; then a newcomer with
    unverified works and no mandate, a disputed work, and a conflict between two clients."""
    from datetime import timedelta

    from caseapp.clients import ownership
    from caseapp.core.money import Money

    for n, work_id in enumerate(work_ids):
        work = demo.session.get(Work, work_id)
        client = work.client
        if n < len(client_ids):     # the first work of each client: evidence a handler recorded
            published = demo.today - timedelta(days=400 + 37 * n)
            ownership.record_evidence(demo.session, demo.actor, work, today=demo.today, seen_version=None,
                                      first_published_url=f"https://{client.email.split('@')[1]}/portfolio/{work.id}",
                                      first_published_on=published, publication_country=client.country)
            if n % 3 == 0:
                ownership.add_sale(demo.session, demo.actor, work, sold_on=published + timedelta(days=60),
                                   licensee="Reisemagazin Weitblick GmbH", usage="web, editorial, 1 year",
                                   price=Money(38000, "EUR"), today=demo.today)
        work.status, work.status_by, work.status_at = VERIFIED, "Hanna Berger (demo)", demo.now
        work.status_reason = "The client's RAW file and the earlier publication on its own site were checked."
    demo.session.flush()

    marin = demo.session.scalar(select(Client).where(Client.name == CONFLICT_WITH))
    newcomer = demo.session.scalar(select(Client).where(Client.name == NEWCOMER[0]))
    if newcomer is None:
        newcomer = services.add_client(demo.session, demo.actor, name=NEWCOMER[0], country=NEWCOMER[1],
                                       kind=NEWCOMER[2], language=NEWCOMER[3], email="kai@brenner-foto.example",
                                       contact_name="Kai Brenner", city="Leipzig", street="Karl-Liebknecht-Str. 9",
                                       postcode="04107")
    added = []
    for k, title in enumerate(NEWCOMER_WORKS):
        added.append(services.add_work(demo.session, demo.store, demo.actor, client_id=newcomer.id, title=title,
                                       data=landscape_jpeg(demo.seed * 1000 + 900 + k)))
    if marin is not None:
        twin = services.add_work(demo.session, demo.store, demo.actor, client_id=marin.id, title="Dune study",
                                 data=landscape_jpeg(demo.seed * 1000 + 901))
        # The engine finds the same picture when either is indexed (clients.works_index); the
        # demo records what it finds.
        ownership.record_conflict(demo.session, Actor.system("conflict check"), added[1], twin, 1.0)
    agency = demo.session.scalar(select(Client).where(Client.name == DISPUTED_WORK[0]))
    if agency is not None:
        work = services.add_work(demo.session, demo.store, demo.actor, client_id=agency.id, title=DISPUTED_WORK[1],
                                 data=landscape_jpeg(demo.seed * 1000 + 950))
        ownership.dispute(demo.session, Actor.system("Hanna Berger (demo)"), work, reason=DISPUTED_WORK[2],
                          seen_version=None)
    demo.session.flush()
